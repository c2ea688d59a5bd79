package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// blockEngine is what the room side panel needs of the engine.
type blockEngine interface {
	State() client.State
	Block(ctx context.Context, memberID string) error
}

// blockPanel is the side panel a 1:1 room's [More] opens: who the other
// member is and, for an external member, [Block member]. Co-workers cannot
// be blocked, so they get no button.
type blockPanel struct {
	work   *worker
	eng    blockEngine
	win    fyne.Window
	roomID string

	content fyne.CanvasObject
	pic     *avatar
	name    *widget.Label
	sub     *widget.Label
	note    *widget.Label
	block   *widget.Button

	other protocol.RoomMember
}

// newBlockPanel builds the panel for roomID. The room view calls apply
// with every new engine state, and once right away.
func newBlockPanel(work *worker, eng blockEngine, win fyne.Window, roomID string) *blockPanel {
	p := &blockPanel{work: work, eng: eng, win: win, roomID: roomID}
	p.pic = newAvatar(64, nil)
	p.name = boldLabel("")
	p.name.Alignment = fyne.TextAlignCenter
	p.sub = widget.NewLabel("")
	p.sub.Alignment = fyne.TextAlignCenter
	p.sub.Importance = widget.LowImportance
	p.sub.Truncation = fyne.TextTruncateEllipsis
	p.note = widget.NewLabel("")
	p.note.Wrapping = fyne.TextWrapWord
	p.note.Hide()
	p.block = widget.NewButtonWithIcon(lang.L("Block member"), theme.CancelIcon(), p.onBlockTapped)
	p.block.Importance = widget.DangerImportance
	p.block.Hide()
	p.content = container.NewPadded(container.NewVBox(
		container.NewCenter(p.pic), p.name, p.sub, widget.NewSeparator(), p.note, p.block))
	p.apply(eng.State())
	return p
}

// apply shows the room's other member and whether they can be blocked.
func (p *blockPanel) apply(st client.State) {
	i := slices.IndexFunc(st.Rooms, func(r client.RoomSummary) bool { return r.ID == p.roomID })
	if i < 0 || st.Rooms[i].Kind != protocol.RoomDirect {
		p.showNote(lang.L("Nothing to show for this room."))
		p.block.Hide()
		return
	}
	room := st.Rooms[i]
	for _, m := range room.Members {
		if m.ID != st.Me.ID {
			p.other = m
		}
	}
	if p.pic.name != p.other.Name {
		p.pic.name = p.other.Name
		p.pic.Refresh()
	}
	p.name.SetText(p.other.Name)
	p.sub.SetText(p.other.WorkspaceName)

	blocked := slices.ContainsFunc(st.Blocked, func(b protocol.BlockedMember) bool { return b.ID == p.other.ID })
	switch {
	case p.other.WorkspaceID == st.Me.WorkspaceID:
		p.showNote(lang.L("A co-worker in your workspace."))
		p.block.Hide()
	case blocked:
		p.showNote(lang.L("You blocked {{.Name}}. To undo it, go to More, Blocked members.", map[string]any{"Name": p.other.Name}))
		p.block.Hide()
	default:
		p.showNote(lang.L("An external member from another workspace."))
		p.block.Show()
		p.block.Enable()
	}
}

func (p *blockPanel) showNote(text string) {
	p.note.SetText(text)
	p.note.Show()
}

func (p *blockPanel) onBlockTapped() {
	other := p.other
	p.work.dialogs.confirm(p.win, lang.L("Block {{.Name}}?", map[string]any{"Name": other.Name}),
		lang.L("Nobody can send messages in your 1:1 chat any more, you cannot see each other's profiles, and {{.Name}} is removed from your external members. You can unblock them later in More, Blocked members.",
			map[string]any{"Name": other.Name}),
		lang.L("Block member"), func() { p.blockConfirmed(other.ID) })
}

// blockConfirmed queues the block; the panel and the room change with the
// next engine state, which shows it at once as a pending local effect.
func (p *blockPanel) blockConfirmed(id string) {
	p.block.Disable()
	p.work.run(func(ctx context.Context) error {
		return p.eng.Block(ctx, id)
	}, func(err error) {
		if err != nil {
			p.block.Enable()
			p.work.dialogs.info(p.win, lang.L("Could not do that"), errorText(err))
		}
	})
}
