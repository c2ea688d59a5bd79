package client

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"worktalk.dev/worktalk/protocol"
)

// TestUndecodableSyncResultDropsTheConnection: a sync answer the engine
// cannot read does not count as caught up. The engine hangs up (to retry
// later) instead of going online with a cursor it never learned.
func TestUndecodableSyncResultDropsTheConnection(t *testing.T) {
	hungUp := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			var f protocol.Frame
			if err := ws.ReadJSON(&f); err != nil {
				close(hungUp)
				return
			}
			if f.T == protocol.FrameReq && f.Op == protocol.OpSync {
				res := protocol.Frame{T: protocol.FrameRes, ID: f.ID, Data: json.RawMessage(`"not a sync result"`)}
				if err := ws.WriteJSON(res); err != nil {
					return
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	acct := Account{ServerURL: srv.URL, MemberID: "m1", WorkspaceID: "w1"}
	opt := optionsFor(t, t.TempDir(), acct)
	e := mustOpen(t, opt, acct)
	select {
	case <-hungUp:
	case <-time.After(10 * time.Second):
		t.Fatal("the engine kept the connection after an undecodable sync result")
	}
	st := waitFor(t, e, "the connection to end", func(s State) bool { return s.Conn.Error != "" })
	if st.Conn.Online {
		t.Errorf("Conn = %+v, want offline", st.Conn)
	}
}
