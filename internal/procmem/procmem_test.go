package procmem

import (
	"os"
	"runtime"
	"testing"
)

func TestReadSelf(t *testing.T) {
	m, err := Read(os.Getpid())
	if runtime.GOOS != "linux" {
		if err == nil {
			t.Fatal("Read worked without /proc")
		}
		t.Skip("reads /proc: Linux only")
	}
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS < 1<<20 || m.Peak < m.RSS {
		t.Fatalf("RSS %d, peak %d: a Go test process has over 1 MB resident and a peak at least that", m.RSS, m.Peak)
	}
}

func TestReadGone(t *testing.T) {
	if _, err := Read(-1); err == nil {
		t.Fatal("Read(-1) found a process")
	}
}
