package storetest

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func testSessions(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	sess := service.SessionRow{ID: "s-1", TokenHash: "hash-1", MemberID: f.alice, Device: "Linux 데스크톱", CreatedAt: at(5)}
	write(t, s, func(tx service.Tx) error { return tx.InsertSession(ctx, sess) })
	read(t, s, func(tx service.Tx) error {
		got, err := tx.SessionByTokenHash(ctx, "hash-1")
		if err != nil || !reflect.DeepEqual(got, sess) {
			t.Errorf("SessionByTokenHash = %+v, %v; want %+v, nil", got, err, sess)
		}
		_, err = tx.SessionByTokenHash(ctx, "hash-missing")
		wantNoRow(t, "SessionByTokenHash(missing)", err)
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.RevokeSession(ctx, "s-1", at(6)) })
	read(t, s, func(tx service.Tx) error {
		got, err := tx.SessionByTokenHash(ctx, "hash-1")
		if err != nil || !got.RevokedAt.Equal(at(6)) {
			t.Errorf("SessionByTokenHash after revoke: RevokedAt = %v, %v; want %v, nil", got.RevokedAt, err, at(6))
		}
		return nil
	})
	for _, id := range []string{"s-1", "s-missing"} { // already revoked, unknown
		err := s.Write(ctx, func(tx service.Tx) error { return tx.RevokeSession(ctx, id, at(7)) })
		wantNoRow(t, "RevokeSession("+id+")", err)
	}
	err := s.Write(ctx, func(tx service.Tx) error {
		return tx.InsertSession(ctx, service.SessionRow{ID: "s-2", TokenHash: "hash-1", MemberID: f.bob, CreatedAt: at(8)})
	})
	if err == nil {
		t.Errorf("InsertSession(duplicate token hash) = nil, want an error")
	}
}

func testLinks(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	once := service.LinkRow{ID: "l-once", TokenHash: "th-once", MemberID: f.alice, Kind: protocol.LinkOnce, ExpiresAt: at(3600), CreatedAt: at(0)}
	qr1 := service.LinkRow{ID: "l-qr1", TokenHash: "th-qr1", MemberID: f.alice, Kind: protocol.LinkQR, Sealed: []byte{0, 1, 2, 0xff}, CreatedAt: at(1)}
	qr2 := service.LinkRow{ID: "l-qr2", TokenHash: "th-qr2", MemberID: f.alice, Kind: protocol.LinkQR, Sealed: []byte("sealed-2"), CreatedAt: at(2)}
	write(t, s, func(tx service.Tx) error {
		for _, l := range []service.LinkRow{once, qr1, qr2} {
			if err := tx.InsertLink(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		for _, want := range []service.LinkRow{once, qr1, qr2} {
			got, err := tx.LinkByTokenHash(ctx, want.TokenHash)
			if err != nil || !equalLink(got, want) {
				t.Errorf("LinkByTokenHash(%s) = %+v, %v; want %+v, nil", want.TokenHash, got, err, want)
			}
		}
		_, err := tx.LinkByTokenHash(ctx, "th-missing")
		wantNoRow(t, "LinkByTokenHash(missing)", err)
		got, err := tx.ActiveQRLink(ctx, f.alice)
		if err != nil || got.ID != qr2.ID {
			t.Errorf("ActiveQRLink(alice) = %s, %v; want the newest, %s", got.ID, err, qr2.ID)
		}
		_, err = tx.ActiveQRLink(ctx, f.bob)
		wantNoRow(t, "ActiveQRLink(bob)", err)
		return nil
	})

	write(t, s, func(tx service.Tx) error { return tx.RevokeQRLinks(ctx, f.alice, at(10)) })
	read(t, s, func(tx service.Tx) error {
		_, err := tx.ActiveQRLink(ctx, f.alice)
		wantNoRow(t, "ActiveQRLink(alice) after RevokeQRLinks", err)
		got, err := tx.LinkByTokenHash(ctx, qr1.TokenHash)
		if err != nil || !got.RevokedAt.Equal(at(10)) || got.Sealed != nil {
			t.Errorf("qr1 RevokedAt, Sealed = %v, %x, %v; want %v and nothing sealed (a dead token is not kept)", got.RevokedAt, got.Sealed, err, at(10))
		}
		got, err = tx.LinkByTokenHash(ctx, once.TokenHash)
		if err != nil || !got.RevokedAt.IsZero() {
			t.Errorf("one-time link RevokedAt after RevokeQRLinks = %v, %v; want zero (only QR links are revoked)", got.RevokedAt, err)
		}
		return nil
	})

	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"first use", once.ID, true},
		{"second use", once.ID, false},
		{"revoked", qr1.ID, false},
		{"unknown", "l-missing", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			write(t, s, func(tx service.Tx) error {
				var err error
				got, err = tx.UseLink(ctx, tt.id, at(20))
				return err
			})
			if got != tt.want {
				t.Errorf("UseLink(%s) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
	read(t, s, func(tx service.Tx) error {
		got, err := tx.LinkByTokenHash(ctx, once.TokenHash)
		if err != nil || !got.UsedAt.Equal(at(20)) {
			t.Errorf("UsedAt = %v, %v; want %v", got.UsedAt, err, at(20))
		}
		return nil
	})
}

func testLiveLinks(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	once := func(id, owner string, created int) service.LinkRow {
		return service.LinkRow{ID: id, TokenHash: "th-" + id, MemberID: owner, Kind: protocol.LinkOnce, CreatedAt: at(created), ExpiresAt: at(created + 3600)}
	}
	links := []service.LinkRow{
		once("a1", f.alice, 0), once("a2", f.alice, 10), once("a3", f.alice, 20), once("a4", f.alice, 30),
		once("a-used", f.alice, 40), once("a-revoked", f.alice, 50), once("b1", f.bob, 60),
		{ID: "a-qr", TokenHash: "th-a-qr", MemberID: f.alice, Kind: protocol.LinkQR, Sealed: []byte("x"), CreatedAt: at(70)},
	}
	write(t, s, func(tx service.Tx) error {
		for _, l := range links {
			if err := tx.InsertLink(ctx, l); err != nil {
				return err
			}
		}
		if _, err := tx.UseLink(ctx, "a-used", at(80)); err != nil {
			return err
		}
		return tx.RevokeOnceLink(ctx, f.alice, "a-revoked", at(80))
	})
	live := func(now, limit int) []string {
		var ids []string
		read(t, s, func(tx service.Tx) error {
			ls, err := tx.LiveOnceLinks(ctx, f.alice, at(now), limit)
			for _, l := range ls {
				ids = append(ids, l.ID)
				if want := once(l.ID, f.alice, 0); l.Kind != want.Kind || l.TokenHash != want.TokenHash {
					t.Errorf("LiveOnceLinks row %+v, want kind once and hash %s", l, want.TokenHash)
				}
			}
			return err
		})
		return ids
	}
	for _, tc := range []struct {
		name       string
		now, limit int
		want       []string
	}{
		{"newest first, only live once links of mine", 100, 10, []string{"a4", "a3", "a2", "a1"}},
		{"limited", 100, 2, []string{"a4", "a3"}},
		{"expired ones gone", 3600 + 15, 10, []string{"a4", "a3"}},
		{"expiring at now is gone", 3600 + 20, 10, []string{"a4"}},
	} {
		if got := live(tc.now, tc.limit); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: LiveOnceLinks = %v, want %v", tc.name, got, tc.want)
		}
	}

	write(t, s, func(tx service.Tx) error { return tx.RevokeOnceLink(ctx, f.alice, "a2", at(90)) })
	for _, tc := range []struct{ owner, id string }{
		{f.bob, "a1"},       // not his
		{f.alice, "b1"},     // not hers
		{f.alice, "a-qr"},   // not a one-time link
		{f.alice, "a-none"}, // unknown
	} {
		err := s.Write(ctx, func(tx service.Tx) error { return tx.RevokeOnceLink(ctx, tc.owner, tc.id, at(95)) })
		wantNoRow(t, "RevokeOnceLink("+tc.owner+", "+tc.id+")", err)
	}
	// Revoking again, or a used link, is no error and keeps the first time.
	write(t, s, func(tx service.Tx) error {
		if err := tx.RevokeOnceLink(ctx, f.alice, "a2", at(99)); err != nil {
			return err
		}
		return tx.RevokeOnceLink(ctx, f.alice, "a-used", at(99))
	})
	read(t, s, func(tx service.Tx) error {
		l, err := tx.LinkByTokenHash(ctx, "th-a2")
		if err != nil || !l.RevokedAt.Equal(at(90)) {
			t.Errorf("a2 RevokedAt = %v, %v; want %v", l.RevokedAt, err, at(90))
		}
		return nil
	})
	if got, want := live(100, 10), []string{"a4", "a3", "a1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after RevokeOnceLink: LiveOnceLinks = %v, want %v", got, want)
	}

	write(t, s, func(tx service.Tx) error { return tx.RevokeOnceLinks(ctx, f.alice, at(120)) })
	if got := live(100, 10); len(got) != 0 {
		t.Errorf("after RevokeOnceLinks: LiveOnceLinks = %v, want none", got)
	}
	read(t, s, func(tx service.Tx) error {
		for hash, want := range map[string]time.Time{"th-a1": at(120), "th-a2": at(90), "th-a-used": at(99), "th-b1": {}, "th-a-qr": {}} {
			l, err := tx.LinkByTokenHash(ctx, hash)
			if err != nil || !l.RevokedAt.Equal(want) {
				t.Errorf("%s RevokedAt = %v, %v; want %v (others' and QR links untouched)", hash, l.RevokedAt, err, want)
			}
		}
		return nil
	})
}

// equalLink compares links, treating nil and empty Sealed alike.
func equalLink(a, b service.LinkRow) bool {
	if !bytes.Equal(a.Sealed, b.Sealed) {
		return false
	}
	a.Sealed, b.Sealed = nil, nil
	return reflect.DeepEqual(a, b)
}

func testServerKeys(t *testing.T, s service.Store) {
	ctx := context.Background()
	key := []byte{0, 1, 2, 3, 0xfe, 0xff}
	read(t, s, func(tx service.Tx) error {
		_, err := tx.ServerKey(ctx, "seal")
		wantNoRow(t, "ServerKey(missing)", err)
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.InsertServerKey(ctx, "seal", key) })
	read(t, s, func(tx service.Tx) error {
		got, err := tx.ServerKey(ctx, "seal")
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ServerKey(seal) = %x, %v; want %x, nil", got, err, key)
		}
		return nil
	})
	err := s.Write(ctx, func(tx service.Tx) error { return tx.InsertServerKey(ctx, "seal", []byte("other")) })
	if err == nil {
		t.Errorf("InsertServerKey(existing name) = nil, want an error")
	}
	write(t, s, func(tx service.Tx) error { return tx.DeleteServerKey(ctx, "seal") })
	read(t, s, func(tx service.Tx) error {
		_, err := tx.ServerKey(ctx, "seal")
		wantNoRow(t, "ServerKey after DeleteServerKey", err)
		return nil
	})
}

func testSealedValues(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	qr := service.LinkRow{ID: "l-qr", TokenHash: "th-qr", MemberID: f.alice, Kind: protocol.LinkQR, Sealed: []byte("qr-sealed"), CreatedAt: at(1)}
	gone := service.LinkRow{ID: "l-gone", TokenHash: "th-gone", MemberID: f.carol, Kind: protocol.LinkQR, Sealed: []byte("gone-sealed"), CreatedAt: at(1)}
	write(t, s, func(tx service.Tx) error {
		for _, l := range []service.LinkRow{qr, gone, {ID: "l-once", TokenHash: "th-once", MemberID: f.bob, Kind: protocol.LinkOnce, CreatedAt: at(1)}} {
			if err := tx.InsertLink(ctx, l); err != nil {
				return err
			}
		}
		for _, m := range []service.MutationRow{
			{MemberID: f.alice, ID: "m-sealed", Op: protocol.OpLinkCreateOnce, Result: []byte("answer-sealed"), Sealed: true, CreatedAt: at(2)},
			{MemberID: f.bob, ID: "m-lost", Op: protocol.OpLinkResetQR, Result: []byte("lost-sealed"), Sealed: true, CreatedAt: at(2)},
			{MemberID: f.alice, ID: "m-plain", Op: protocol.OpMessageSend, Result: []byte(`{}`), CreatedAt: at(2)},
		} {
			if err := tx.InsertMutation(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	var vals []service.SealedValue
	read(t, s, func(tx service.Tx) error {
		var err error
		vals, err = tx.SealedValues(ctx)
		return err
	})
	want := map[string]service.SealedValue{
		"qr-sealed":     {LinkID: qr.ID, Data: []byte("qr-sealed")},
		"gone-sealed":   {LinkID: gone.ID, Data: []byte("gone-sealed")},
		"answer-sealed": {MemberID: f.alice, ID: "m-sealed", Data: []byte("answer-sealed")},
		"lost-sealed":   {MemberID: f.bob, ID: "m-lost", Data: []byte("lost-sealed")},
	}
	if len(vals) != len(want) {
		t.Fatalf("SealedValues = %d values (%+v), want %d", len(vals), vals, len(want))
	}
	for _, v := range vals {
		if w, ok := want[string(v.Data)]; !ok || !reflect.DeepEqual(v, w) {
			t.Errorf("SealedValues holds %+v, want %+v", v, w)
		}
	}
	write(t, s, func(tx service.Tx) error {
		for _, v := range []service.SealedValue{
			{LinkID: qr.ID, Data: []byte("qr-new")},
			{LinkID: gone.ID},
			{MemberID: f.alice, ID: "m-sealed", Data: []byte("answer-new")},
			{MemberID: f.bob, ID: "m-lost"},
		} {
			if err := tx.UpdateSealedValue(ctx, v, at(9)); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		if l, err := tx.LinkByTokenHash(ctx, qr.TokenHash); err != nil || string(l.Sealed) != "qr-new" || !l.RevokedAt.IsZero() {
			t.Errorf("resealed QR link = %+v, %v; want the new value, live", l, err)
		}
		if l, err := tx.LinkByTokenHash(ctx, gone.TokenHash); err != nil || l.Sealed != nil || !l.RevokedAt.Equal(at(9)) {
			t.Errorf("lost QR link = %+v, %v; want revoked at %v, nothing sealed", l, err, at(9))
		}
		if m, err := tx.Mutation(ctx, f.alice, "m-sealed"); err != nil || string(m.Result) != "answer-new" || !m.Sealed {
			t.Errorf("resealed answer = %+v, %v; want the new value, sealed", m, err)
		}
		_, err := tx.Mutation(ctx, f.bob, "m-lost")
		wantNoRow(t, "lost answer", err)
		vals, err := tx.SealedValues(ctx)
		if err != nil || len(vals) != 2 {
			t.Errorf("SealedValues after the update = %+v, %v; want 2", vals, err)
		}
		return nil
	})
}
