package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"worktalk.dev/worktalk/protocol"
)

// mutation applies one mutation in w for caller c and returns its answer.
type mutation func(s *Service, ctx context.Context, w *wtx, c Caller, reqID string, data json.RawMessage) (any, error)

var mutations = map[string]mutation{
	protocol.OpMessageSend:    (*Service).sendMessage,
	protocol.OpRoomCreate:     (*Service).createRoom,
	protocol.OpExternalAdd:    (*Service).addExternal,
	protocol.OpBlock:          (*Service).block,
	protocol.OpUnblock:        (*Service).unblock,
	protocol.OpLinkCreateOnce: (*Service).createOnceLink,
	protocol.OpLinkResetQR:    (*Service).resetQRLink,
	protocol.OpRoomRead:       (*Service).markRead,
	protocol.OpLinkRevoke:     (*Service).revokeLink,
	protocol.OpLinkRevokeAll:  (*Service).revokeAllLinks,
}

// sealedAnswers are mutations whose stored answer holds a link token: the
// answer is kept for resends sealed with the server key, so tokens are never
// stored in the clear.
var sealedAnswers = map[string]bool{protocol.OpLinkCreateOnce: true, protocol.OpLinkResetQR: true, protocol.OpLinkRevokeAll: true}

// Do runs every request op except sync for caller c and returns the JSON
// answer. Mutations (protocol.Mutations) are deduplicated by (member, reqID):
// the first answer, result or refusal, is stored with the change, and a
// resend gets it back without applying anything again. Errors are
// *protocol.Error; anything unexpected is logged and answered as EInternal.
func (s *Service) Do(ctx context.Context, c Caller, reqID, op string, data json.RawMessage) (json.RawMessage, error) {
	if reqID == "" || len(reqID) > protocol.MaxIDLen {
		return nil, protocol.Errorf(protocol.EInvalid, "request needs an id of 1 to %d bytes", protocol.MaxIDLen)
	}
	if len(data) > protocol.MaxFrameBytes {
		return nil, protocol.Errorf(protocol.ETooLarge, "request is larger than %d bytes", protocol.MaxFrameBytes)
	}
	if strings.IndexByte(reqID, 0) >= 0 || hasNUL(data) {
		return nil, errNUL
	}
	if !protocol.Mutations[op] {
		if err := s.rateLimit(c, op); err != nil {
			return nil, err
		}
	}
	var v any
	var err error
	switch op {
	case protocol.OpLinkQR:
		v, err = s.qrLink(ctx, c)
	case protocol.OpLinkList:
		v, err = s.listLinks(ctx, c)
	case protocol.OpLinkView:
		v, err = s.viewLink(ctx, c, data)
	case protocol.OpMemberGet:
		v, err = s.getMember(ctx, c, data)
	case protocol.OpRoomsCommon:
		v, err = s.roomsInCommon(ctx, c, data)
	case protocol.OpMessagesPage:
		v, err = s.messagesPage(ctx, c, data)
	default:
		m, ok := mutations[op]
		if op == protocol.OpProfileUpdate {
			// The picture is decoded and re-encoded before the write lock.
			u, err := s.prepareProfileUpdate(ctx, data)
			if err != nil {
				return nil, s.clientError(op, err)
			}
			m, ok = func(s *Service, ctx context.Context, w *wtx, c Caller, _ string, _ json.RawMessage) (any, error) {
				return s.updateProfile(ctx, w, c, u)
			}, true
		}
		if !ok {
			return nil, protocol.Errorf(protocol.EInvalid, "unknown request %q", cut(op, 40))
		}
		answer, err := s.mutate(ctx, c, reqID, op, data, m)
		return answer, s.clientError(op, err)
	}
	if err != nil {
		return nil, s.clientError(op, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, s.clientError(op, fmt.Errorf("marshal answer: %w", err))
	}
	return b, nil
}

// rateLimit applies the per-member limit on looking at and redeeming links.
func (s *Service) rateLimit(c Caller, op string) error {
	if op != protocol.OpLinkView && op != protocol.OpExternalAdd {
		return nil
	}
	if !s.linkByMember.allow(c.MemberID, s.now()) {
		return protocol.Errorf(protocol.ERateLimited, "too many profile links tried; try again in a minute").Because(protocol.RLinks)
	}
	return nil
}

// mutate runs m once per (member, reqID). A refusal rolls the change back and
// is then stored on its own, under the same writeMu hold, so no other write
// can come between.
func (s *Service) mutate(ctx context.Context, c Caller, reqID, op string, data json.RawMessage, m mutation) (json.RawMessage, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var answer json.RawMessage
	var replayed error
	err := s.writeLocked(ctx, func(w *wtx) error {
		prev, err := w.Mutation(ctx, c.MemberID, reqID)
		if err == nil {
			answer, replayed = s.replay(ctx, w, prev, op)
			return nil
		}
		if !errors.Is(err, ErrNoRow) {
			return err
		}
		// Limited after the lookup: a resend gets its first answer, not a refusal.
		if err := s.rateLimit(c, op); err != nil {
			return err
		}
		v, err := m(s, ctx, w, c, reqID, data)
		if err != nil {
			return err
		}
		if answer, err = json.Marshal(v); err != nil {
			return fmt.Errorf("marshal answer: %w", err)
		}
		row := MutationRow{MemberID: c.MemberID, ID: reqID, Op: op, Result: answer, CreatedAt: w.now}
		if sealedAnswers[op] {
			if row.Result, err = s.seal(answer); err != nil {
				return err
			}
			row.Sealed = true
		}
		return w.InsertMutation(ctx, row)
	})
	if replayed != nil {
		return nil, replayed
	}
	var refusal *protocol.Error
	if err == nil || !errors.As(err, &refusal) || refusal.Code == protocol.ERateLimited || refusal.Code == protocol.EInternal {
		return answer, err
	}
	stored, merr := json.Marshal(refusal)
	if merr != nil {
		return nil, merr
	}
	serr := s.writeLocked(ctx, func(w *wtx) error {
		return w.InsertMutation(ctx, MutationRow{MemberID: c.MemberID, ID: reqID, Op: op, Err: stored, CreatedAt: w.now})
	})
	if serr != nil {
		s.log.Error("store refusal", "op", op, "err", serr)
	}
	return nil, refusal
}

// replay returns the stored answer of an earlier mutation with the same id.
func (s *Service) replay(ctx context.Context, tx Tx, prev MutationRow, op string) (json.RawMessage, error) {
	if prev.Op != op {
		return nil, protocol.Errorf(protocol.EConflict, "request id %q was already used for another request", prev.ID).Because(protocol.RIDUsed)
	}
	if prev.Err != nil {
		var e protocol.Error
		if err := json.Unmarshal(prev.Err, &e); err != nil {
			return nil, fmt.Errorf("stored refusal: %w", err)
		}
		return nil, &e
	}
	if prev.Sealed {
		return s.unseal(prev.Result)
	}
	return prev.Result, nil
}

// errNUL refuses text holding NUL: SQLite would store it and PostgreSQL
// refuses it, so both stores answer alike only if neither sees one.
var errNUL = protocol.Errorf(protocol.EInvalid, "text cannot contain a NUL character").Because(protocol.RNUL)

// hasNUL reports whether any string in the JSON value data, object keys
// included, holds a NUL character. JSON can carry one only escaped, so
// data without the escape is answered without parsing.
func hasNUL(data []byte) bool {
	if !bytes.Contains(data, []byte(`\u0000`)) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			// Not JSON: decoding refuses it later. The escape was there.
			return err != io.EOF
		}
		if s, ok := tok.(string); ok && strings.IndexByte(s, 0) >= 0 {
			return true
		}
	}
}

// decode parses request data into v; EInvalid on failure.
func decode(data json.RawMessage, v any) error { return protocol.DecodeData(data, v) }
