package argon2id_test

import (
	"errors"
	"strings"
	"testing"

	"worktalk.dev/worktalk/internal/argon2id"
)

func TestHashVerify(t *testing.T) {
	h, err := argon2id.Hash("correct horse", argon2id.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("Hash = %q, want a PHC string with the given parameters", h)
	}
	if ok, err := argon2id.Verify("correct horse", h); !ok || err != nil {
		t.Errorf("Verify(right) = %v, %v; want true, nil", ok, err)
	}
	if ok, err := argon2id.Verify("correct horse!", h); ok || err != nil {
		t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
	}
	h2, err := argon2id.Hash("correct horse", argon2id.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
}

// Verify takes the cost from the hash, not from the caller: hashes made
// with older parameters keep working.
func TestVerifyReadsParams(t *testing.T) {
	h, err := argon2id.Hash("pw", argon2id.Params{Memory: 128, Time: 2, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := argon2id.Verify("pw", h); !ok || err != nil {
		t.Errorf("Verify = %v, %v; want true, nil", ok, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"text before the prefix", "x$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"other algorithm", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"other version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"no parameters", "$argon2id$v=19$$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key},
		{"memory below 8 per lane", "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + key},
		{"zero passes", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"too many passes", "$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + key},
		{"zero lanes", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!$" + key},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$aGFzaA"},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := argon2id.Verify("pw", tt.encoded)
			if ok || !errors.Is(err, argon2id.ErrMalformed) {
				t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformed", tt.encoded, ok, err)
			}
		})
	}
}
