package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func TestHealthz(t *testing.T) {
	env := servertest.New(t)
	resp, err := http.Get(env.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 \"ok\"", resp.StatusCode, body)
	}
}

func TestSignInHTTP(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	hanbit := env.CreateWorkspace("Hanbit")
	alice := env.CreateMember(acme.ID, "Alice", nil)

	t.Run("one workspace signs in", func(t *testing.T) {
		status, res, perr := env.SignInHTTP(protocol.SignInRequest{Email: alice.Email, Password: alice.Password})
		if status != http.StatusOK || res.Session == nil || res.Session.MemberID != alice.ID() || res.Session.Token == "" {
			t.Fatalf("sign in = %d %+v %v, want 200 with Alice's session", status, res, perr)
		}
		c := env.Dial(res.Session.Token)
		if s := c.Sync(0); s.Snapshot.Me.ID != alice.ID() {
			t.Errorf("snapshot me = %s, want %s", s.Snapshot.Me.ID, alice.ID())
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		status, _, perr := env.SignInHTTP(protocol.SignInRequest{Email: alice.Email, Password: "not the password"})
		if status != http.StatusUnauthorized || perr == nil || perr.Code != protocol.EUnauthorized {
			t.Errorf("sign in = %d %v, want 401 %q", status, perr, protocol.EUnauthorized)
		}
	})

	// The same e-mail in a second workspace: the answer lists both.
	_, err := env.Service.CreateMember(t.Context(), newMember(hanbit.ID, alice.Email, "Alice K."))
	if err != nil {
		t.Fatalf("CreateMember: %v", err)
	}
	t.Run("two workspaces to choose from", func(t *testing.T) {
		status, res, perr := env.SignInHTTP(protocol.SignInRequest{Email: alice.Email, Password: alice.Password})
		if status != http.StatusOK || res.Session != nil || len(res.Workspaces) != 2 {
			t.Errorf("sign in = %d %+v %v, want 200 with two workspaces", status, res, perr)
		}
	})

	rawTests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"not JSON", `{"email":`, http.StatusBadRequest, protocol.EInvalid},
		{"too large", `{"email":"` + strings.Repeat("a", 10<<10) + `"}`, http.StatusRequestEntityTooLarge, protocol.ETooLarge},
	}
	for _, tt := range rawTests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(env.URL+"/api/signin", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), `"code":"`+tt.code+`"`) {
				t.Errorf("POST /api/signin = %d %s, want %d with code %q", resp.StatusCode, body, tt.status, tt.code)
			}
		})
	}
}

func TestPictures(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	carol := env.NewUser(acme.ID, "Carol")
	c := env.Dial(alice.Token)
	pic := tinyPNG(t)
	var me protocol.Profile
	c.DoOK(protocol.OpProfileUpdate, protocol.ProfileUpdate{Picture: &pic}, &me)
	if me.PictureID == "" {
		t.Fatalf("profile.update with a picture: PictureID empty")
	}

	get := func(token, id, etag string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/api/pictures/"+id, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}

	resp, body := get(carol.Token, me.PictureID, "")
	sum := sha256.Sum256(body)
	if resp.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != me.PictureID {
		t.Fatalf("coworker GET picture = %d (%d bytes), want 200 with the bytes whose hash is the id", resp.StatusCode, len(body))
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(body)); err != nil || cfg.Width != 4 || cfg.Height != 4 {
		t.Errorf("served picture = %+v, %v; want the 4×4 picture re-encoded", cfg, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type = %q, want image/png", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "private") {
		t.Errorf("Cache-Control = %q, want private and immutable", cc)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ := get(carol.Token, me.PictureID, etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match = %d, want 304", resp.StatusCode)
	}
	if resp, _ := get("", me.PictureID, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET without a token = %d, want 401", resp.StatusCode)
	}
	if resp, _ := get(carol.Token, strings.Repeat("0", 64), ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET unknown picture = %d, want 404", resp.StatusCode)
	}
	resp, body = get(carol.Token, me.PictureID+"/thumb", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Errorf("GET thumbnail = %d, ETag %q; want 200 with an ETag of its own", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(body)); err != nil {
		t.Errorf("thumbnail does not decode: %v", err)
	}

	// Outside the workspace only contacts see it, and no one across a block.
	hanbit := env.CreateWorkspace("Hanbit")
	bora := env.NewUser(hanbit.ID, "Bora")
	for _, path := range []string{me.PictureID, me.PictureID + "/thumb"} {
		if resp, _ := get(bora.Token, path, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a stranger GETs %s = %d, want 404", path, resp.StatusCode)
		}
	}
	var link protocol.ProfileLink
	c.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	bc := env.Dial(bora.Token)
	bc.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, nil)
	if resp, _ := get(bora.Token, me.PictureID, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("an external contact GETs the picture = %d, want 200", resp.StatusCode)
	}
	c.DoOK(protocol.OpBlock, protocol.MemberRef{MemberID: bora.ID()}, nil)
	if resp, _ := get(bora.Token, me.PictureID, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a blocked member GETs the picture = %d, want 404", resp.StatusCode)
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 4 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newMember(workspaceID, email, name string) service.NewMember {
	return service.NewMember{WorkspaceID: workspaceID, Email: email, Password: servertest.Password, Name: name}
}

// TestSignInBehindProxy: behind a trusted proxy each client has its own
// sign-in bucket; from an untrusted peer the header changes nothing.
func TestSignInBehindProxy(t *testing.T) {
	wrong := func(env *servertest.Env, client string) int {
		b, _ := json.Marshal(protocol.SignInRequest{Email: "nobody" + client + "@x.test", Password: "guess guess"})
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/signin", bytes.NewReader(b))
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, trusted := range []bool{true, false} {
		var opts servertest.Options
		if trusted {
			opts.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		}
		env := servertest.NewWith(t, opts)
		for i := range 10 {
			if got := wrong(env, "198.51.100.1"); got != http.StatusUnauthorized {
				t.Fatalf("trusted=%v: wrong sign-in %d = %d, want 401", trusted, i+1, got)
			}
		}
		if got := wrong(env, "198.51.100.1"); got != http.StatusTooManyRequests {
			t.Errorf("trusted=%v: 11th wrong sign-in from one client = %d, want 429", trusted, got)
		}
		want := http.StatusUnauthorized // another client behind the proxy has its own bucket
		if !trusted {
			want = http.StatusTooManyRequests // the header is ignored: it is the same peer
		}
		if got := wrong(env, "198.51.100.2"); got != want {
			t.Errorf("trusted=%v: another client = %d, want %d", trusted, got, want)
		}
	}
}
