// Package fakeorg makes up a company's member file for tests, benchmarks
// and demos: people with Korean and English names, titles, phones and
// departments nested two or three deep ("개발본부/플랫폼실/백엔드팀"), as
// worktalkd member import reads it.
package fakeorg

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Header is the first line Write writes.
var Header = []string{"email", "name", "title", "department", "phone", "employee_no"}

// Member is one line of the file.
type Member struct {
	Email, Name, Title, Department, Phone, EmployeeNo string
}

// Row is m as the cells of a line, in Header's order.
func (m Member) Row() []string {
	return []string{m.Email, m.Name, m.Title, m.Department, m.Phone, m.EmployeeNo}
}

var (
	// Korean family and given names with their usual romanization.
	families = [][2]string{{"김", "kim"}, {"이", "lee"}, {"박", "park"}, {"최", "choi"}, {"정", "jung"}, {"강", "kang"},
		{"조", "cho"}, {"윤", "yoon"}, {"장", "jang"}, {"임", "lim"}, {"한", "han"}, {"오", "oh"}, {"서", "seo"},
		{"신", "shin"}, {"권", "kwon"}, {"황", "hwang"}, {"안", "ahn"}, {"송", "song"}, {"류", "ryu"}, {"홍", "hong"}}
	givens = [][2]string{{"민준", "minjun"}, {"서연", "seoyeon"}, {"도윤", "doyun"}, {"서윤", "seoyun"}, {"예준", "yejun"},
		{"지우", "jiwoo"}, {"시우", "siwoo"}, {"하은", "haeun"}, {"주원", "juwon"}, {"지유", "jiyu"}, {"하준", "hajun"},
		{"수아", "sua"}, {"지호", "jiho"}, {"지민", "jimin"}, {"준서", "junseo"}, {"채원", "chaewon"}, {"현우", "hyunwoo"},
		{"다은", "daeun"}, {"건우", "gunwoo"}, {"예린", "yerin"}, {"우진", "woojin"}, {"소윤", "soyun"}, {"선우", "sunwoo"},
		{"지아", "jia"}, {"유준", "yujun"}, {"민서", "minseo"}, {"연우", "yeonwoo"}, {"윤서", "yunseo"}, {"정우", "jungwoo"},
		{"수빈", "subin"}, {"승현", "seunghyun"}, {"은지", "eunji"}, {"태윤", "taeyun"}, {"나은", "naeun"}, {"동현", "donghyun"},
		{"혜진", "hyejin"}, {"성민", "sungmin"}, {"가영", "gayoung"}, {"재원", "jaewon"}, {"보람", "boram"}}
	firsts = []string{"James", "Emma", "Daniel", "Olivia", "Michael", "Sophia", "David", "Grace", "Ryan", "Chloe",
		"Kevin", "Hannah", "Brian", "Emily", "Jason", "Sarah", "Eric", "Julia", "Andrew", "Rachel"}
	lasts = []string{"Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark", "Lewis", "Walker",
		"Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill"}
	titles = []string{"사원", "사원", "사원", "주임", "대리", "대리", "과장", "과장", "차장", "부장", "Senior Engineer", "Engineer", "Designer", "Product Manager"}
	// Divisions, their offices (or "" for teams right under the division)
	// and teams.
	divisions = []struct {
		name    string
		offices []string
		teams   []string
	}{
		{"개발본부", []string{"플랫폼실", "서비스개발실", "데이터실"}, []string{"백엔드팀", "프론트엔드팀", "인프라팀", "QA팀"}},
		{"Engineering", []string{"Platform", "Mobile"}, []string{"Core", "Growth", "Reliability"}},
		{"경영지원본부", nil, []string{"인사팀", "재무팀", "총무팀", "법무팀"}},
		{"영업본부", []string{"국내영업실", "해외영업실"}, []string{"영업1팀", "영업2팀", "영업지원팀"}},
		{"마케팅본부", nil, []string{"브랜드팀", "디지털마케팅팀", "홍보팀"}},
		{"디자인센터", nil, []string{"UX팀", "비주얼디자인팀"}},
		{"고객지원본부", []string{"고객센터"}, []string{"상담1팀", "상담2팀", "기술지원팀"}},
	}
)

// Departments lists every department path Generate assigns.
func Departments() []string {
	var out []string
	for _, d := range divisions {
		if len(d.offices) == 0 {
			for _, t := range d.teams {
				out = append(out, d.name+"/"+t)
			}
			continue
		}
		for _, o := range d.offices {
			for _, t := range d.teams {
				out = append(out, d.name+"/"+o+"/"+t)
			}
		}
	}
	return out
}

// Generate makes n members of domain, the same ones for the same seed:
// about three in four with Korean names, the others English, every e-mail
// different.
func Generate(n int, domain string, seed uint64) []Member {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	depts := Departments()
	used := make(map[string]int, n)
	out := make([]Member, 0, n)
	for i := range n {
		var name, local string
		if r.IntN(4) > 0 {
			f, g := families[r.IntN(len(families))], givens[r.IntN(len(givens))]
			name, local = f[0]+g[0], g[1]+"."+f[1]
		} else {
			f, l := firsts[r.IntN(len(firsts))], lasts[r.IntN(len(lasts))]
			name, local = f+" "+l, strings.ToLower(f+"."+l)
		}
		used[local]++
		if k := used[local]; k > 1 {
			local = fmt.Sprintf("%s%d", local, k)
		}
		out = append(out, Member{
			Email:      local + "@" + domain,
			Name:       name,
			Title:      titles[r.IntN(len(titles))],
			Department: depts[r.IntN(len(depts))],
			Phone:      fmt.Sprintf("+82 10-%04d-%04d", r.IntN(10000), r.IntN(10000)),
			EmployeeNo: fmt.Sprintf("E%06d", i+1),
		})
	}
	return out
}

// Write writes Generate's members as CSV with a header line (and, with
// bom, a UTF-8 byte order mark, as spreadsheet programs save it).
func Write(w io.Writer, ms []Member, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Write(Header)
	for _, m := range ms {
		cw.Write(m.Row())
	}
	cw.Flush()
	return cw.Error()
}
