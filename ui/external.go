package ui

import (
	"slices"

	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// openAddExternal opens "Add external member" with link filled in (it may
// be empty); once added, the 1:1 chat with the new member opens.
func (a *App) openAddExternal(link string) {
	eng := a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	d := newAddExternalDialog(a.work, eng, a.win, link)
	d.OnAdded = a.openChatWithAdded
	d.OnCard = func() { a.event("card") }
	a.addExt = d
	a.showDialog(a.win, d.dlg)
	if link == "" {
		a.focus(d.link) // ready to paste
	}
}

func (a *App) openChatWithAdded(memberID string) {
	if a.main != nil {
		a.main.openDirectRoom(memberID, nil)
	}
}

// viewProfile is a system message's [View profile]: the member who added
// me gets the add-back dialog until I add them too; anyone else opens as
// a profile.
func (a *App) viewProfile(memberID string) {
	st := a.state()
	if isBlockedID(st, memberID) {
		a.showBlockedProfile()
		return
	}
	if _, coworker := findMember(st.Members, memberID); coworker || isExternal(st, memberID) || memberID == st.Me.ID {
		openMemberProfileByID(a, memberID)
		return
	}
	eng := a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	d := newAddBackDialog(a.work, eng, a.win, memberID)
	d.OnAdded = a.openChatWithAdded
	d.OnCard = func() { a.event("card") }
	a.addExt = d
	a.showDialog(a.win, d.dlg)
}

func findMember(list []protocol.Profile, id string) (protocol.Profile, bool) {
	i := slices.IndexFunc(list, func(p protocol.Profile) bool { return p.ID == id })
	if i < 0 {
		return protocol.Profile{}, false
	}
	return list[i], true
}

func isBlockedID(st client.State, id string) bool {
	return slices.ContainsFunc(st.Blocked, func(b protocol.BlockedMember) bool { return b.ID == id })
}

// showBlockedProfile says why a blocked member's profile does not open.
func (a *App) showBlockedProfile() {
	a.work.dialogs.info(a.win, lang.L("Profile not available"),
		lang.L("You blocked this member. Unblock them in More, Blocked members, to see their profile again."))
}

// ProfileLink reports whether text is a profile link the app opens (an
// https://HOST/p/TOKEN or worktalk://p/TOKEN URL), for the command line.
func ProfileLink(text string) (string, bool) { return profileLinkIn(text) }
