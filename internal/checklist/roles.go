package checklist

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// How approver roles and sign-offs come from the document:
//
//   - A label or heading about approvals ("**Approved by:**", "### Required
//     Approvals", a "Sign-Off" section) makes the list lines under it roles.
//   - A plain bullet "- Engineering Lead: ____" is a role; a name written in
//     place of the blank ("- Engineering Lead: Dana Scully") is that role's
//     approval, by that name.
//   - A checkbox "- [ ] **Technical Lead:** System ready for production" is a
//     role with a description; a ticked box is its approval.
//   - A line "**Sign-off:** ____ Date: ____" gives its section a sign-off
//     record; a name written in it signs the section off.

// approvalsLabel tells whether a label or heading is about approvals:
// "Approved by", "Required Approvals", "Sign-offs", "Signatures".
func approvalsLabel(s string) bool {
	return containsFold(asciiDashes(s), "approv", "sign-off", "signoff", "sign off", "signature", "signator")
}

// asciiDashes writes the Unicode hyphens and dashes people paste
// ("sign‑offs", with U+2011) as "-".
func asciiDashes(s string) string {
	if strings.IndexByte(s, 0xE2) < 0 { // the first byte of each in UTF-8
		return s
	}
	return dashes.Replace(s)
}

var dashes = strings.NewReplacer("\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2212", "-")

// rolesLabel recognises a label that introduces approver roles: "Approved by:".
func rolesLabel(plain string) bool {
	label, ok := strings.CutSuffix(plain, ":")
	return ok && len(label) <= 60 && !strings.Contains(label, ":") && approvalsLabel(label)
}

// inlineRoles reads approver roles listed on their label's line:
// "Approvers: SRE Lead, Security Lead", "Sign-off by: QA Lead and PM".
// Every entry must name a role, so that "Approved by: Alice" stays a name.
func (p *parser) inlineRoles(l line, plain string) bool {
	label, rest, ok := strings.Cut(plain, ":")
	if !ok || len(label) > 40 || !approvalsLabel(label) {
		return false
	}
	entries := roleListRe.Split(strings.TrimSpace(strings.TrimRight(rest, ".")), -1)
	if len(entries) == 0 || entries[0] == "" {
		return false
	}
	for _, e := range entries {
		if !roleName(strings.TrimSpace(e)) {
			return false
		}
	}
	for _, e := range entries {
		p.addRole(line{n: l.n, raw: l.raw, text: strings.TrimSpace(e)})
	}
	p.decide("it names the approvers")
	return true
}

// roleListRe splits a list of roles written on one line.
var roleListRe = regexp.MustCompile(`\s*(?:,\s*and\s+|,|;|\s+and\s+|\s+&\s+)\s*`)

// addRole reads a list line in a roles context as a role; it returns false
// for a line that is not shaped like one, which stays an item.
func (p *parser) addRole(l line) bool {
	name, rest, ok := roleShape(l.text, !l.box)
	if !ok {
		return false
	}
	key := strings.ToLower(name)
	if prev := p.roles[key]; prev != nil {
		p.skip(l, fmt.Sprintf("the role %q is already listed", prev.Name))
		return true
	}
	r := &Role{Name: name, Verdict: VerdictPending}
	if p.roles == nil {
		p.roles = map[string]*Role{}
	}
	p.roles[key] = r
	if l.box {
		r.Description = rest
		if l.done {
			r.Verdict = VerdictApproved
		}
	} else if by, at := filledName(rest); by != "" {
		r.Verdict, r.By, r.At = VerdictApproved, by, at
	}
	p.c.Roles = append(p.c.Roles, r)
	p.rep.Roles = append(p.rep.Roles, ImportRole{Name: r.Name, Line: l.n, Verdict: r.Verdict, By: r.By})
	p.decide("it holds approver roles")
	return true
}

// roleShape splits "**Technical Lead:** System ready" into the role's name
// and the rest. A checkbox needs its name in bold, or a blank after it
// ("- [ ] QA Lead: ____"), so that an ordinary item with a colon stays an
// item; a note such as "Date: ____" or "Status: pending" is no role.
func roleShape(text string, bullet bool) (string, string, bool) {
	head, rest, found := strings.Cut(text, ":")
	if !found && roleName(text) {
		return text, "", true
	}
	if !found || strings.HasPrefix(rest, "//") {
		return "", "", false
	}
	bold := strings.HasPrefix(head, "**") || strings.HasPrefix(head, "__")
	name := strings.TrimSpace(strings.Trim(head, "*_` \t"))
	rest = strings.TrimSpace(strings.TrimLeft(rest, "*_ \t"))
	switch {
	case !bullet && !bold && !isPlaceholder(rest):
		return "", "", false
	// A box written "Edge cases documented and tested:" over sub-items is a
	// task; without bold, a box names a role only by a word for a person.
	case !bullet && !bold && !roleName(name):
		return "", "", false
	case name == "" || len(name) > 60 || len(strings.Fields(name)) > 6 || strings.ContainsAny(name, ".!?;[]<>"):
		return "", "", false
	case notRoles[strings.ToLower(name)] || notRoles[lastWord(name)]:
		return "", "", false
	}
	return name, rest, true
}

// lastWord is the last word of s, in lower case: "Approval timestamp" gives
// "timestamp".
func lastWord(s string) string {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// roleName tells whether a whole line names an approver's role: a few
// words ending with a word for a person or team ("Engineering lead",
// "Operations/on-call", "Security (if applicable)"), not a task ("Security
// sign-off").
func roleName(text string) bool {
	t := text
	if i := strings.IndexByte(t, '('); i > 0 && strings.HasSuffix(t, ")") {
		t = t[:i]
	}
	t = strings.TrimSpace(asciiDashes(t))
	if t == "" || len(t) > 60 || strings.ContainsAny(t, "*_`.:;!?[]<>") {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return r == ' ' || r == '/' || r == '\t' })
	return len(words) > 0 && len(words) <= 5 && roleNouns[words[len(words)-1]]
}

// roleNouns end the names of approver roles.
var roleNouns = map[string]bool{
	"lead": true, "leads": true, "owner": true, "owners": true, "manager": true, "engineer": true, "engineering": true,
	"team": true, "officer": true, "director": true, "head": true, "sponsor": true, "approver": true, "reviewer": true,
	"architect": true, "qa": true, "security": true, "legal": true, "compliance": true, "operations": true, "ops": true,
	"on-call": true, "oncall": true, "product": true, "cto": true, "ceo": true, "cio": true, "ciso": true, "cfo": true,
	"coo": true, "vp": true, "sre": true, "devops": true, "support": true, "marketing": true, "finance": true,
	"stakeholder": true, "stakeholders": true, "committee": true, "board": true, "counsel": true, "privacy": true,
	"pm": true, "em": true, "dpo": true, "cab": true,
}

// notRoles are labels of approval blocks that name no approver.
var notRoles = map[string]bool{
	"date": true, "status": true, "decision": true, "note": true, "notes": true, "comment": true, "comments": true,
	"version": true, "conditions": true, "next review": true, "next review date": true, "deadline": true, "due": true,
	"time": true, "signature": true, "result": true, "outcome": true, "timestamp": true, "signed": true,
}

// placeholders stand for a blank where a name belongs.
var placeholders = map[string]bool{
	"": true, "tbd": true, "tba": true, "tbc": true, "n/a": true, "na": true, "name": true, "pending": true, "none": true,
	"?": true, "-": true, "mm/dd": true, "mm/dd/yyyy": true, "dd/mm/yyyy": true, "yyyy-mm-dd": true, "date": true, "todo": true,
	"x": true, "xxx": true, "...": true, "…": true,
}

// isPlaceholder tells whether s is a blank where a name or date belongs:
// "____", "[Name]", "<name>", "TBD", "N/A", "-", "?", "[MM/DD]".
func isPlaceholder(s string) bool {
	t := strings.TrimSpace(strings.Trim(s, "_–—.*` \t"))
	if placeholders[strings.ToLower(t)] {
		return true
	}
	if len(t) >= 2 && (t[0] == '[' && t[len(t)-1] == ']' || t[0] == '<' && t[len(t)-1] == '>' || t[0] == '(' && t[len(t)-1] == ')' || t[0] == '{' && t[len(t)-1] == '}') {
		return true
	}
	return strings.Trim(s, "_-–—.*` \t") == ""
}

// signoffLabel recognises "Sign-off:", "Signoff:", "Signed off by:" at the
// start of a line and returns what follows the colon.
func signoffLabel(plain string) (string, bool) {
	if len(plain) < 8 || !strings.EqualFold(plain[:4], "sign") {
		return "", false
	}
	label, rest, ok := strings.Cut(plain, ":")
	if !ok {
		return "", false
	}
	switch strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(label, "-", " ")), " ")) {
	case "sign off", "signoff", "signed off", "signed off by":
		return strings.TrimSpace(rest), true
	}
	return "", false
}

// filledName reads the name, and a YYYY-MM-DD date if any, written in a
// blank such as "____  Date: ____"; "" when it is still blank.
func filledName(s string) (string, time.Time) {
	namePart, datePart := s, ""
	if i := dateLabel(s); i >= 0 {
		namePart, datePart = s[:i], s[i:]
	}
	name := strings.TrimSpace(strings.Trim(namePart, "_-–—.*` \t"))
	if isPlaceholder(namePart) {
		return "", time.Time{}
	}
	var at time.Time
	for _, f := range strings.FieldsFunc(datePart, func(r rune) bool { return r == ' ' || r == ':' || r == '_' || r == '*' }) {
		if d, err := time.Parse("2006-01-02", f); err == nil {
			at = d
			break
		}
	}
	return name, at
}

// dateLabel returns where a "Date:" label (or "Signature:", "Time:", which
// follow a name's blank the same way) starts in s, -1 when it has none.
func dateLabel(s string) int {
	for i := 0; i < len(s); i++ {
		if i > 0 && isWordByte(s[i-1]) {
			continue
		}
		for _, label := range []string{"date", "signature", "signed", "time"} {
			if len(s)-i >= len(label) && strings.EqualFold(s[i:i+len(label)], label) {
				if rest := strings.TrimLeft(s[i+len(label):], " \t*"); strings.HasPrefix(rest, ":") {
					return i
				}
			}
		}
	}
	return -1
}

// signoff reads a "Sign-off: ____ Date: ____" line. A bare "Sign-off:" label
// also introduces roles listed under it.
func (p *parser) signoff(plain string) bool {
	rest, ok := signoffLabel(plain)
	if !ok {
		return false
	}
	s := p.section()
	s.HasSignoff = true
	p.ctx = context{}
	if rest == "" {
		p.ctx = context{kind: ctxRoles}
		return true
	}
	if by, at := filledName(rest); by != "" {
		open := 0
		for _, g := range s.Groups {
			for _, it := range g.Items {
				if !it.Done {
					open++
				}
			}
		}
		s.Signoff = &Signoff{By: by, At: at, OpenItems: open}
	}
	return true
}

// roleHeading is a group heading that may name an approver: a sign-off form
// gives each approver a heading under "## Approvals", with a "Name:" line
// and their own checks below it.
type roleHeading struct {
	name string
	role *Role // set once a name line made it a role
}

// signerLabels are the lines of a sign-off form that take the approver's
// name: "**Name:** ____", "Signature: Dana".
var signerLabels = map[string]bool{"name": true, "approver": true, "approved by": true, "signed by": true, "signature": true, "signed": true}

// roleHeadingLine reads a "Name: ____" line under a role heading: the
// heading is then a role, pending, or approved by the name filled in.
func (p *parser) roleHeadingLine(l line, plain string) bool {
	h := p.roleHead
	if h == nil {
		return false
	}
	label, value, ok := strings.Cut(plain, ":")
	if !ok || !signerLabels[strings.ToLower(strings.TrimSpace(label))] {
		return false
	}
	if h.role == nil {
		if !p.addRole(line{n: l.n, raw: l.raw, text: h.name + ":"}) {
			p.roleHead = nil
			return false
		}
		h.role = p.c.Roles[len(p.c.Roles)-1]
	}
	if by, at := filledName(value); by != "" && h.role.Verdict == VerdictPending {
		h.role.Verdict, h.role.By, h.role.At = VerdictApproved, by, at
		rr := &p.rep.Roles[len(p.rep.Roles)-1]
		rr.Verdict, rr.By = h.role.Verdict, h.role.By
	}
	return true
}
