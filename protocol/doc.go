// Package protocol is the shared vocabulary of the Worktalk client and
// server: the websocket frames and HTTP bodies (Frame, SyncRequest,
// Snapshot, SignInRequest, ...), the names of ops and events, the error
// codes with the one error type that carries them across the wire both
// ways (Error), and the validation both sides run on input (ValidateName,
// WorkspaceSettings.ValidateProfileUpdate, ValidatePicture, LinkToken, ...)
// with the limits it enforces.
//
// The server enforces every rule; clients run the same checks early so a
// user hears about bad input before anything travels. The package uses the
// standard library only, so either side can import it alone.
//
// docs/protocol.md describes the wire as a whole; the comment above the
// Frame types in wire.go gives the sync exchange in brief.
package protocol
