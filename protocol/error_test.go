package protocol

import (
	"encoding/json"
	"testing"
)

// Reasons cross the wire both ways, and an error without one stays
// readable by older peers (the field is left out).
func TestErrorReasonOnTheWire(t *testing.T) {
	e := FieldError(EInvalid, "name", "name %s", ProblemDirection).Because(RDirection)
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Error
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != *e {
		t.Errorf("round trip = %+v, want %+v", back, *e)
	}
	plain, _ := json.Marshal(Errorf(EBlocked, "blocked"))
	if string(plain) != `{"code":"blocked","message":"blocked"}` {
		t.Errorf("error without reason = %s, want no reason field", plain)
	}
	if ErrorReason(e) != RDirection || ErrorReason(nil) != "" {
		t.Errorf("ErrorReason = %q, want %q", ErrorReason(e), RDirection)
	}
}

// Every problem LineProblem reports has a reason.
func TestProblemReasons(t *testing.T) {
	for _, p := range []string{ProblemNotText, ProblemControl, ProblemDirection, ProblemMarks, ProblemInvisible} {
		if ProblemReason(p) == "" {
			t.Errorf("ProblemReason(%q) = \"\", want a reason", p)
		}
	}
}
