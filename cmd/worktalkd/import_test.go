package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/fakeorg"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// runMainFails runs a command that must fail and returns what it wrote to
// stderr and its error.
func runMainFails(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Argon: argon2id.TestParams}
	err := m.ParseFlags(args)
	if err == nil {
		err = m.Run(t.Context())
		if cerr := m.Close(); cerr != nil {
			t.Errorf("Close: %v", cerr)
		}
	}
	if err == nil {
		t.Fatalf("%q succeeded, want it to fail; it printed\n%s", args, out.String())
	}
	return errOut.String(), err
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMemberImportAndActivation imports a spreadsheet's file of members
// (with a byte order mark) into a workspace a server is serving, then one
// of them follows their activation link in a browser, sets a password and
// signs in with it; the link then no longer works.
func TestMemberImportAndActivation(t *testing.T) {
	dir := t.TempDir()
	_, out := runMain(t, "", "workspace", "create", "--data", dir, "--name", "Acme")
	wsID := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)[1]
	srv, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir)
	base := srv.Server.URL()

	people := fakeorg.Generate(300, "acme.example", 1)
	var file bytes.Buffer
	if err := fakeorg.Write(&file, people, true); err != nil {
		t.Fatal(err)
	}
	orgCSV := writeFile(t, "org.csv", file.String())
	links := filepath.Join(t.TempDir(), "links.csv")
	runMain(t, "", "member", "import", "--data", dir, "--workspace", wsID, "--public-url", base, "--out", links, orgCSV)

	b, err := os.ReadFile(links)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != len(people)+1 || recs[0][2] != "activation_url" {
		t.Fatalf("links file: %d lines, %v; want a header and %d links", len(recs), err, len(people))
	}
	if fi, err := os.Stat(links); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("links file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	first := recs[1]
	if first[0] != people[0].Email || first[1] != people[0].Name || !strings.HasPrefix(first[2], base+"/activate/") {
		t.Errorf("first link = %q, want %s's, under %s/activate/", first, people[0].Email, base)
	}
	_, out = runMain(t, "", "member", "list", "--data", dir, "--workspace", wsID)
	if n := strings.Count(out, "not activated"); n != len(people) {
		t.Errorf("member list shows %d not activated, want %d", n, len(people))
	}
	env := servertest.Remote(t, base)
	if status, _, _ := env.SignInHTTP(protocol.SignInRequest{Email: people[0].Email, Password: "any password at all", WorkspaceID: wsID}); status != 401 {
		t.Errorf("sign-in before activation = %d, want 401", status)
	}

	page := func(method string, form url.Values) (int, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == http.MethodGet {
			resp, err = http.Get(first[2])
		} else {
			resp, err = http.PostForm(first[2], form)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("activation page headers: CSP %q, Referrer-Policy %q", csp, resp.Header.Get("Referrer-Policy"))
		}
		return resp.StatusCode, string(body)
	}
	if status, body := page(http.MethodGet, nil); status != 200 || !strings.Contains(body, people[0].Email) || !strings.Contains(body, `method="post"`) {
		t.Fatalf("GET activation page = %d\n%s", status, body)
	}
	if status, body := page(http.MethodPost, url.Values{"password": {"first choice"}, "confirm": {"second choice"}}); status != 400 || !strings.Contains(body, "differ") {
		t.Errorf("two different passwords = %d, want 400 saying they differ", status)
	}
	if status, body := page(http.MethodPost, url.Values{"password": {"short"}, "confirm": {"short"}}); status != 400 || !strings.Contains(body, "8 to") {
		t.Errorf("a short password = %d, want 400 saying how long", status)
	}
	const pw = "새 비밀번호 please"
	if status, body := page(http.MethodPost, url.Values{"password": {pw}, "confirm": {pw}}); status != 200 || !strings.Contains(body, "Your account is ready") || !strings.Contains(body, base) {
		t.Fatalf("setting the password = %d\n%s", status, body)
	}
	if status, _ := page(http.MethodGet, nil); status != 404 {
		t.Errorf("the used link = %d, want 404", status)
	}
	if status, res, perr := env.SignInHTTP(protocol.SignInRequest{Email: people[0].Email, Password: pw, WorkspaceID: wsID}); status != 200 || res.Session == nil {
		t.Errorf("sign-in with the new password = %d %v", status, perr)
	}

	// The import is in the audit log with the file's name.
	_, out = runMain(t, "", "audit", "list", "--data", dir, "--workspace", wsID)
	if !strings.Contains(out, "member.import") || !strings.Contains(out, "300 members") || !strings.Contains(out, "org.csv") {
		t.Errorf("audit list printed\n%s\nwant the import of 300 members from org.csv", out)
	}
}

// TestMemberImportRefusesBadFile: every bad line is reported with its
// number, and a file with any bad line imports nothing.
func TestMemberImportRefusesBadFile(t *testing.T) {
	dir := t.TempDir()
	_, out := runMain(t, "", "workspace", "create", "--data", dir, "--name", "Acme")
	wsID := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)[1]
	runMain(t, "a long enough password\n", "member", "create", "--data", dir, "--workspace", wsID, "--email", "old@acme.example", "--name", "Old Timer")
	common := []string{"member", "import", "--data", dir, "--workspace", wsID, "--public-url", "https://talk.acme.example"}

	bad := writeFile(t, "bad.csv", strings.Join([]string{
		"이메일,이름,직함,부서,전화번호", // Korean labels name the columns too
		"kim@acme.example,김민준,대리,개발본부/플랫폼팀,+82 10-1234-5678",
		"not an address,이서연,과장,,",
		"park@acme.example,박지호,,,",
		"choi@acme.example,,사원,,",
		"KIM@acme.example,김민준2,,,",
		"old@acme.example,Old Again,,,",
		"lee@acme.example,이하은,,,phone?",
		"jung@acme.example,정우진,,,,extra",
	}, "\r\n")+"\r\n")
	stderr, err := runMainFails(t, append(common, bad)...)
	for _, want := range []string{
		"bad.csv:3: e-mail \"not an address\"",
		"bad.csv:5: ",
		"bad.csv:6: kim@acme.example is also on line 2",
		"bad.csv:7: old@acme.example is already a member of Acme",
		"bad.csv:8: ",
		"bad.csv:9: 6 cells, but the header names 5 columns",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "bad.csv:2:") || strings.Contains(stderr, "bad.csv:4:") {
		t.Errorf("good lines reported:\n%s", stderr)
	}
	if !strings.Contains(err.Error(), "6 bad lines; nothing was imported") {
		t.Errorf("error = %v", err)
	}
	_, out = runMain(t, "", "member", "list", "--data", dir, "--workspace", wsID)
	if strings.Contains(out, "kim@acme.example") || strings.Contains(out, "park@acme.example") {
		t.Errorf("members after a refused import:\n%s", out)
	}

	unknown := writeFile(t, "unknown.csv", "email,name,nickname\nx@acme.example,X,xx\n")
	if _, err := runMainFails(t, append(common, unknown)...); !strings.Contains(err.Error(), `"nickname" is not email, name or a profile field`) {
		t.Errorf("unknown column: %v", err)
	}
	plain := writeFile(t, "plain.csv", "email,name\nplain@acme.example,Plain Without BOM\n")
	_, out = runMain(t, "", append(common, plain)...)
	if !strings.Contains(out, "plain@acme.example,Plain Without BOM,https://talk.acme.example/activate/") {
		t.Errorf("import without a BOM, links to stdout:\n%s", out)
	}
}

// TestMemberUpdate changes members from a file: the columns given are set,
// an empty cell clears a field, a line that changes nothing changes
// nothing, and a file with a bad line changes nobody.
func TestMemberUpdate(t *testing.T) {
	dir := t.TempDir()
	_, out := runMain(t, "", "workspace", "create", "--data", dir, "--name", "Acme")
	wsID := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)[1]
	for _, m := range [][]string{
		{"a@acme.example", "Ann", "title=대리", "phone=+82 10-1111-2222"},
		{"b@acme.example", "Ben", "title=과장", "phone=+82 10-3333-4444"},
		{"c@acme.example", "Cho", "title=사원"},
	} {
		runMain(t, "a long enough password\n", "member", "create", "--data", dir, "--workspace", wsID,
			"--email", m[0], "--name", m[1], "--set", m[2], "--set", append(m, "phone=")[3])
	}
	update := writeFile(t, "update.csv", "email,name,title,phone\n"+
		"a@acme.example,Ann,과장,+82 10-1111-2222\n"+
		"B@acme.example,Benjamin,과장,\n"+
		"c@acme.example,Cho,사원,\n")
	_, out = runMain(t, "", "member", "update", "--data", dir, "--workspace", wsID, update)
	if !strings.Contains(out, "updated 2 of the 3 members") {
		t.Errorf("member update printed %q", out)
	}
	got := membersByEmail(t, dir, wsID)
	if a := got["a@acme.example"]; a.Fields["title"] != "과장" || a.Fields["phone"] != "+82 10-1111-2222" || a.Version != 2 {
		t.Errorf("a = %+v, want the new title, the same phone, version 2", a)
	}
	if b := got["b@acme.example"]; b.Name != "Benjamin" || b.Fields["phone"] != "" || b.Version != 2 {
		t.Errorf("b = %+v, want renamed and the phone cleared", b)
	}
	if c := got["c@acme.example"]; c.Version != 1 {
		t.Errorf("c = %+v, want untouched", c)
	}

	bad := writeFile(t, "bad-update.csv", "email,title\na@acme.example,부장\nnobody@acme.example,사원\n")
	stderr, _ := runMainFails(t, "member", "update", "--data", dir, "--workspace", wsID, bad)
	if !strings.Contains(stderr, "bad-update.csv:3: nobody@acme.example is not a member of Acme") {
		t.Errorf("stderr = %q", stderr)
	}
	if a := membersByEmail(t, dir, wsID)["a@acme.example"]; a.Fields["title"] != "과장" {
		t.Errorf("a's title after a refused update = %q, want still 과장", a.Fields["title"])
	}
}

// membersByEmail reads a workspace's members from the database in dir.
func membersByEmail(t *testing.T, dir, wsID string) map[string]service.MemberRow {
	t.Helper()
	m := &Main{Stdout: io.Discard, Stderr: io.Discard}
	if err := m.openStore(context.Background(), dbFlags{data: dir}); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := map[string]service.MemberRow{}
	err := m.DB.Read(context.Background(), func(tx service.Tx) error {
		rows, err := tx.WorkspaceMembers(context.Background(), wsID)
		for _, r := range rows {
			out[r.Email] = r
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
