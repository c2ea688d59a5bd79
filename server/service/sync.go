package service

import (
	"context"
	"sort"

	"worktalk.dev/worktalk/protocol"
)

const (
	defaultReplayLimit = 1000
	maxReplayLimit     = 10_000
)

func (v *view) blockedMember(ctx context.Context, b BlockRow) (protocol.BlockedMember, error) {
	m, err := v.member(ctx, b.Blocked)
	if err != nil {
		return protocol.BlockedMember{}, err
	}
	w, err := v.workspace(ctx, m.WorkspaceID)
	if err != nil {
		return protocol.BlockedMember{}, err
	}
	return protocol.BlockedMember{ID: m.ID, Name: m.Name, WorkspaceName: w.Name, BlockedAt: b.CreatedAt.UnixMilli()}, nil
}

// EventsSince returns the caller's events with seq > cursor, oldest first,
// at most limit (<= 0: a default; capped at 10,000). It returns
// ErrSnapshotNeeded when events after cursor were pruned, or when more than
// MaxReplay are pending. Errors: EInvalid for a negative cursor.
func (s *Service) EventsSince(ctx context.Context, c Caller, cursor int64, limit int) ([]Event, error) {
	if cursor < 0 {
		return nil, protocol.Errorf(protocol.EInvalid, "cursor cannot be negative")
	}
	if limit <= 0 {
		limit = defaultReplayLimit
	}
	limit = min(limit, maxReplayLimit)
	var out []Event
	err := s.read(ctx, func(tx Tx) error {
		pruned, err := tx.PrunedThrough(ctx)
		if err != nil {
			return err
		}
		if cursor < pruned {
			return ErrSnapshotNeeded
		}
		// A cursor past the newest event comes from another database (a
		// reset server): without a snapshot that client would miss every
		// event until the numbers caught up with it.
		head, err := tx.LastSeq(ctx)
		if err != nil {
			return err
		}
		if cursor > head {
			return ErrSnapshotNeeded
		}
		n, err := tx.FeedCount(ctx, c.MemberID, cursor, MaxReplay+1)
		if err != nil {
			return err
		}
		if n > MaxReplay {
			return ErrSnapshotNeeded
		}
		evs, err := tx.FeedSince(ctx, c.MemberID, cursor, limit)
		if err != nil {
			return err
		}
		out = make([]Event, len(evs))
		for i, e := range evs {
			out[i] = Event{Seq: e.Seq, Op: e.Op, Data: e.Data, Recipients: []string{c.MemberID}}
		}
		return nil
	})
	if err != nil {
		return nil, s.clientError("events", err)
	}
	return out, nil
}

// contacts returns the profiles of the members who added me and whom I have
// not added (those are in exts), blocked pairs left out.
func contacts(ctx context.Context, tx Tx, v *view, me string, exts []string) ([]protocol.Profile, error) {
	owners, err := tx.ExternalOwners(ctx, me)
	if err != nil {
		return nil, err
	}
	mine := make(map[string]bool, len(exts))
	for _, id := range exts {
		mine[id] = true
	}
	var ids []string
	for _, id := range owners {
		if mine[id] {
			continue
		}
		if b, err := blocked(ctx, tx, me, id); err != nil {
			return nil, err
		} else if !b {
			ids = append(ids, id)
		}
	}
	rows, err := tx.Members(ctx, ids)
	if err != nil {
		return nil, err
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	out := make([]protocol.Profile, 0, len(rows))
	for _, m := range rows {
		p, err := v.profile(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
