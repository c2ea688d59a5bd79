package server_test

import (
	"encoding/json"
	"testing"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// seedFrames are in the committed corpus (testdata/fuzz) too; these keep
// the targets meaningful when that directory is missing.
var seedFrames = []string{
	`{"t":"req","id":"a1","op":"sync","d":{"cursor":0}}`,
	`{"t":"req","id":"a2","op":"member.get","d":{"member_id":"x"}}`,
	`{"t":"req","id":"a3","op":"message.send","d":{"room_id":"self:x","text":"hi"}}`,
	// every other op, so the fuzzer starts from each payload shape
	`{"t":"req","id":"b1","op":"profile.update","d":{"name":"Kim","fields":{"title":"Lead"},"picture":"iVBORw0KGgo="}}`,
	`{"t":"req","id":"b2","op":"room.create","d":{"kind":"group","title":"T","members":["x"]}}`,
	`{"t":"req","id":"b3","op":"external.add","d":{"link":"https://h/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}`,
	`{"t":"req","id":"b4","op":"block.add","d":{"member_id":"x"}}`,
	`{"t":"req","id":"b5","op":"block.remove","d":{"member_id":"x"}}`,
	`{"t":"req","id":"b6","op":"link.create_once","d":{}}`,
	`{"t":"req","id":"b7","op":"link.reset_qr","d":{}}`,
	`{"t":"req","id":"b8","op":"link.qr","d":{}}`,
	`{"t":"req","id":"b9","op":"link.view","d":{"link":"worktalk://p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}`,
	`{"t":"req","id":"c1","op":"rooms.common","d":{"member_id":"x"}}`,
	`{"t":"req","id":"c2","op":"messages.page","d":{"room_id":"self:x","before_seq":5,"limit":10}}`,
	`{"t":"req","id":"c3","op":"message.send","d":{"room_id":"self:x","text":"\u0000"}}`,
	`{"t":"req","id":"c4","op":"room.read","d":{"room_id":"self:x","seq":3}}`,
	`{"t":"req","id":"c5","op":"link.revoke","d":{"id":"x"}}`,
	`{"t":"req","id":"c6","op":"link.revoke_all","d":{}}`,
	`{"t":"req","id":"c7","op":"link.list","d":{}}`,
	`{"t":"res","id":"a4","d":{}}`,
	`{"t":"req","id":"","op":""}`,
	`{"t":`,
	`null`,
	"\x00",
}

// FuzzDecodeFrame checks protocol.DecodeFrame: it never panics, refuses
// with an application error, and what it accepts survives a round trip.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range seedFrames {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := protocol.DecodeFrame(b)
		if err != nil {
			if code := protocol.ErrorCode(err); code != protocol.EInvalid && code != protocol.ETooLarge {
				t.Fatalf("DecodeFrame error code %q, want %q or %q", code, protocol.EInvalid, protocol.ETooLarge)
			}
			return
		}
		if fr.T == protocol.FrameReq && (fr.ID == "" || len(fr.ID) > protocol.MaxIDLen || fr.Op == "") {
			t.Fatalf("DecodeFrame accepted request %+v without a valid id and op", fr)
		}
		again, err := json.Marshal(fr)
		if err != nil {
			t.Fatalf("marshal accepted frame: %v", err)
		}
		fr2, err := protocol.DecodeFrame(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		if fr2.T != fr.T || fr2.ID != fr.ID || fr2.Op != fr.Op || fr2.Seq != fr.Seq {
			t.Fatalf("round trip changed the frame: %+v became %+v", fr, fr2)
		}
	})
}

// FuzzServerFrame sends each input over a real websocket to a real server
// and checks that the server answers it (an "err" frame, or a "res" with
// the request's id) and that the connection keeps answering afterwards.
//
//	go test -run '^$' -fuzz FuzzServerFrame -fuzztime 30s -fuzzminimizetime 2s ./server/
//
// (Each input is a network round trip, so the default minimizing of every
// new input, up to a minute, would stall the run.)
func FuzzServerFrame(f *testing.F) {
	for _, s := range seedFrames {
		f.Add([]byte(s))
	}
	env := servertest.New(f)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	c := env.Dial(alice.Token)
	probe := protocol.MemberRef{MemberID: alice.ID()}
	const probeID = "fuzz-probe~" // not an id a fuzzed frame reuses by chance

	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > protocol.MaxFrameBytes {
			t.Skip("oversize frames close the connection by design")
		}
		c.TB = t
		c.Pending() // forget events left over from earlier inputs
		fr, decodeErr := protocol.DecodeFrame(b)
		c.SendRaw(b)
		c.SendID(probeID, protocol.OpMemberGet, probe)
		res := c.AwaitRes(probeID)
		if res.Err != nil {
			t.Fatalf("probe after %q refused: %v", b, res.Err)
		}
		answered := false
		for _, got := range c.Pending() {
			switch {
			case got.T == protocol.FrameErr:
				answered = decodeErr != nil || fr.T != protocol.FrameReq
			case got.T == protocol.FrameRes && decodeErr == nil && got.ID == fr.ID:
				answered = true
			}
			if answered {
				break
			}
		}
		if !answered {
			t.Fatalf("no answer to %q before the probe's", b)
		}
	})
}
