package client

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// TestPictureOverLimitIsRefused: a picture answer larger than the limit is
// an error, and nothing cut short is cached to be shown later.
func TestPictureOverLimitIsRefused(t *testing.T) {
	ctx := context.Background()
	big := bytes.Repeat([]byte{0x89}, protocol.MaxPictureBytes+100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/pictures/p1" {
			http.NotFound(w, r)
			return
		}
		w.Write(big)
	}))
	t.Cleanup(srv.Close)
	acct := Account{ServerURL: srv.URL, MemberID: "m1", WorkspaceID: "w1"}
	opt := optionsFor(t, t.TempDir(), acct)
	e := mustOpen(t, opt, acct)
	for _, try := range []string{"first", "second"} {
		t.Run(try, func(t *testing.T) {
			got, err := e.Picture(ctx, "p1")
			if code := protocol.ErrorCode(err); code != protocol.ETooLarge {
				t.Fatalf("Picture = %d bytes, error %v (code %q); want code %q", len(got), err, code, protocol.ETooLarge)
			}
		})
	}
	if _, cached, err := e.db.Picture(ctx, "p1"); err != nil || cached {
		t.Errorf("cached after an oversized answer = %v, %v; want false, nil", cached, err)
	}
}
