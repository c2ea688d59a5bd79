package service

import (
	"context"

	"worktalk.dev/worktalk/protocol"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "worktalk-demo"

type demoMember struct {
	email, name              string
	title, department, phone string
	employeeNo               string
	admin                    bool
}

type demoWorkspace struct {
	name    string
	members []demoMember
	room    string   // a group room of everyone
	chat    []string // its messages, sent by the members in turn
}

// demoData: two companies; Alex Kim consults for both under one e-mail, so
// signing in shows the workspace choice.
var demoData = []demoWorkspace{
	{
		name: "Acme Corp",
		members: []demoMember{
			{"emma@acme.example", "Emma Wilson", "CEO", "Management", "+1 415-555-0101", "A-0001", true},
			{"minjun@acme.example", "김민준", "Software Engineer", "Engineering", "+82 10-2345-6789", "A-0107", false},
			{"liam@acme.example", "Liam Park", "Product Manager", "Product", "+1 415-555-0142", "A-0112", false},
			{"seoyeon@acme.example", "이서연", "Designer", "Design", "+82 10-3456-7890", "A-0131", false},
			{"alex@consult.example", "Alex Kim", "Consultant", "Partners", "+1 415-555-0199", "A-0900", false},
		},
		room: "Acme general",
		chat: []string{"Welcome to Worktalk, everyone!", "안녕하세요! 잘 부탁드립니다.", "The launch review is at 3 pm.", "디자인 시안 공유드릴게요."},
	},
	{
		name: "한빛소프트",
		members: []demoMember{
			{"jihoon@hanbit.example", "박지훈", "대표이사", "경영지원팀", "+82 2-555-0100", "H-0001", true},
			{"yuna@hanbit.example", "최유나", "개발팀장", "개발팀", "+82 10-4567-8901", "H-0023", false},
			{"daniel@hanbit.example", "Daniel Lee", "Sales Manager", "영업팀", "+82 10-5678-9012", "H-0045", false},
			{"haeun@hanbit.example", "정하은", "마케터", "마케팅팀", "+82 10-6789-0123", "H-0051", false},
			{"alex@consult.example", "Alex Kim", "컨설턴트", "외부 협력", "+1 415-555-0199", "H-0900", false},
		},
		room: "한빛 전체방",
		chat: []string{"이번 주 금요일 회식 있습니다.", "Sounds good!", "새 버전 배포 완료했습니다.", "수고하셨습니다 👏"},
	},
}

// SeedDemo fills an empty database with two demo workspaces (members with
// Korean and English names, one admin each, external chat allowed, a group
// room with messages). A database that has any workspace is left alone
// (DemoInfo.Created is false); the accounts listed are the demo ones either way.
func (s *Service) SeedDemo(ctx context.Context) (DemoInfo, error) {
	info := DemoInfo{Password: DemoPassword}
	for _, dw := range demoData {
		for _, m := range dw.members {
			info.Accounts = append(info.Accounts, DemoAccount{Email: m.email, Name: m.name, Workspace: dw.name, Admin: m.admin})
		}
	}
	var existing []WorkspaceRow
	err := s.read(ctx, func(tx Tx) error {
		var err error
		existing, err = tx.Workspaces(ctx)
		return err
	})
	if err != nil {
		return DemoInfo{}, s.clientError("seed demo", err)
	}
	if len(existing) > 0 {
		return info, nil
	}
	for _, dw := range demoData {
		ws, err := s.CreateWorkspace(ctx, dw.name, DefaultSettings())
		if err != nil {
			return DemoInfo{}, err
		}
		var ids []string
		for _, m := range dw.members {
			p, err := s.CreateMember(ctx, NewMember{
				WorkspaceID: ws.ID, Email: m.email, Password: DemoPassword, Name: m.name, Admin: m.admin,
				Fields: map[string]string{"title": m.title, "department": m.department, "phone": m.phone, "employee_no": m.employeeNo},
			})
			if err != nil {
				return DemoInfo{}, err
			}
			ids = append(ids, p.ID)
		}
		err = s.write(ctx, func(w *wtx) error {
			v := newView(w)
			r := RoomRow{ID: protocol.NewID(), Kind: protocol.RoomGroup, Title: dw.room}
			if _, err := s.ensureRoom(ctx, w, v, r, ids); err != nil {
				return err
			}
			for i, text := range dw.chat {
				msg := protocol.Message{ID: protocol.NewID(), RoomID: r.ID, SenderID: ids[i%len(ids)], Kind: protocol.MessageText, Text: text, SentAt: w.now.UnixMilli()}
				if _, err := s.postMessage(ctx, w, msg, ids); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return DemoInfo{}, s.clientError("seed demo", err)
		}
	}
	info.Created = true
	return info, nil
}
