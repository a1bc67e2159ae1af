package render

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// Action ids of the approval DM's buttons, whose value is an ApprovalRef,
// and of the sign-off confirmation's buttons, whose value is a SignoffRef.
const (
	ActionApprove        = "approval:approve"
	ActionConditions     = "approval:conditions"
	ActionReject         = "approval:reject"
	ActionSignoffConfirm = "signoff:confirm"
	ActionSignoffCancel  = "signoff:cancel"
)

// Callback ids of the modals the approval buttons open; their
// private_metadata is the ApprovalRef of the button. The note typed in
// either sits in block NoteBlock, action NoteAction.
const (
	ConditionsCallbackID = "approval_conditions"
	RejectCallbackID     = "approval_reject"
	NoteBlock            = "approval_note"
	NoteAction           = "note"
)

// NoteMax is the longest condition or reason the modals take: the domain's limit.
const NoteMax = launch.MaxNote

// Budgets of the approval messages' lists, in blocks or lines.
const (
	approvalGateBlocks    = 8
	approvalRoleBlocks    = 8
	blockingItemLines     = 10
	announceReasonBlocks  = 8
	announceSignoffBlocks = 2
)

// ApprovalRef names the role of a launch an approval button answers for,
// and the version of the role's request it was drawn at
// (checklist.Role.Version): an answer to an older version is refused.
type ApprovalRef struct {
	LaunchID int64
	Role     string
	Version  int
}

// maxRoleRef bounds a role name carried in a button value or a modal's
// metadata; launch.AddRole allows 60 characters, documents a little more.
const maxRoleRef = 150

// String gives the form carried in button values: "42.3:Security Lead",
// launch 42, version 3.
func (r ApprovalRef) String() string {
	return strconv.FormatInt(r.LaunchID, 10) + "." + strconv.Itoa(r.Version) + ":" + r.Role
}

// ParseApprovalRef reads the form String writes. It comes back from Slack in
// clicks and modal submissions, so anything but a small launch id, version
// and a short printable role name is refused. The form without a version
// ("42:Security Lead"), on buttons drawn before versions existed, reads as
// version 0.
func ParseApprovalRef(s string) (ApprovalRef, error) {
	head, role, ok := strings.Cut(s, ":")
	if !ok {
		return ApprovalRef{}, errors.New("approval ref: want LAUNCH.VERSION:ROLE")
	}
	id, version, versioned := strings.Cut(head, ".")
	n, err := refID(id)
	if err != nil {
		return ApprovalRef{}, fmt.Errorf("approval ref: %w", err)
	}
	v := 0
	if versioned {
		if v, err = viewNumber(version); err != nil {
			return ApprovalRef{}, fmt.Errorf("approval ref version: %w", err)
		}
	}
	if strings.TrimSpace(role) == "" || !utf8.ValidString(role) || utf8.RuneCountInString(role) > maxRoleRef ||
		strings.IndexFunc(role, unicode.IsControl) >= 0 {
		return ApprovalRef{}, errors.New("approval ref: bad role name")
	}
	return ApprovalRef{LaunchID: n, Role: role, Version: v}, nil
}

// SignoffRef names a section of a launch a sign-off button signs.
type SignoffRef struct {
	LaunchID int64
	Section  int // section index
}

// String gives the form carried in button values: "42:3".
func (r SignoffRef) String() string {
	return strconv.FormatInt(r.LaunchID, 10) + ":" + strconv.Itoa(r.Section)
}

// ParseSignoffRef reads the form String writes, refusing anything else.
func ParseSignoffRef(s string) (SignoffRef, error) {
	id, sec, ok := strings.Cut(s, ":")
	if !ok {
		return SignoffRef{}, errors.New("sign-off ref: want LAUNCH:SECTION")
	}
	n, err := refID(id)
	if err != nil {
		return SignoffRef{}, fmt.Errorf("sign-off ref: %w", err)
	}
	k, err := viewNumber(sec)
	if err != nil {
		return SignoffRef{}, fmt.Errorf("sign-off ref section: %w", err)
	}
	return SignoffRef{LaunchID: n, Section: k}, nil
}

// refID reads a launch id: 1 to 15 digits, no sign, no leading zero.
func refID(s string) (int64, error) {
	if s == "" || len(s) > 15 || s[0] == '0' {
		return 0, errors.New("bad launch id")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, errors.New("bad launch id")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("bad launch id")
	}
	return n, nil
}

// ApprovalRequest is the DM asking a role's holder for their approval: the
// launch's readiness, its gates, the waivers they count, the open items
// that keep a required or P0 gate failing, the days to launch, and the
// three answers as buttons.
func ApprovalRequest(l *launch.Launch, role *checklist.Role, now time.Time) Message {
	rep := l.Decide(now)
	ref := ApprovalRef{LaunchID: l.ID, Role: role.Name, Version: role.Version}.String()
	name := Escape(clip(oneLine(l.Name), 140))
	roleName := Escape(clip(oneLine(role.Name), 100))

	blocks := []slack.Block{
		header("Approval requested: " + clip(oneLine(l.Name), 120)),
		section(fmt.Sprintf("You hold the role *%s* for the launch *%s* in %s. Approve it, approve it with conditions, or reject it: "+
			"the decision counts every role's answer, and no GO is possible while a gate fails.", roleName, name, channelRef(l.ChannelID))),
		summaryFields(l, rep, now),
	}
	blocks = append(blocks, lineBlocks(gateLines(rep.Gates), approvalGateBlocks, moreLine("gates"))...)
	blocks = append(blocks, lineBlocks(waiverLines(rep), waiverBlocks, moreLine("waivers"))...)
	blocks = append(blocks, blockingBlocks(l, rep)...)
	blocks = append(blocks, answerButtons(ref, "Approve", "Approve with conditions", "Reject"),
		contextBlock(fmt.Sprintf("Only %s, who holds %s, can answer.", mention(role.Holder), roleName)))
	return Message{
		Text:   clip(Escape(fmt.Sprintf("Your approval is requested as %s for the launch %s (readiness %s, %s now).", oneLine(role.Name), oneLine(l.Name), rep.Readiness.PercentText(), rep.OutcomeText())), maxMessageText),
		Blocks: blocks,
	}
}

// ApprovalAnswered is the approval DM once its holder has answered: the
// answer, the launch's state, and the buttons to change the answer while
// changeable (until the decision is announced).
func ApprovalAnswered(l *launch.Launch, role *checklist.Role, changeable bool, now time.Time) Message {
	rep := l.Decide(now)
	ref := ApprovalRef{LaunchID: l.ID, Role: role.Name, Version: role.Version}.String()
	roleName := Escape(clip(oneLine(role.Name), 100))
	answer := fmt.Sprintf("You answered for *%s* of the launch *%s*: %s *%s*", roleName,
		Escape(clip(oneLine(l.Name), 140)), verdictIcon(role.Verdict), role.Verdict)
	if !role.At.IsZero() {
		answer += " on " + when(l, role.At)
	}
	answer += "."
	if role.Note != "" {
		label := "Conditions"
		if role.Verdict == checklist.VerdictRejected {
			label = "Reason"
		}
		answer += "\n*" + label + ":* " + Escape(clip(role.Note, NoteMax))
	}
	blocks := []slack.Block{
		header("Your answer: " + clip(oneLine(l.Name), 130)),
		section(answer),
		summaryFields(l, rep, now),
	}
	if changeable {
		blocks = append(blocks, answerButtons(ref, "Approve", "Approve with conditions", "Reject"),
			contextBlock("You can change your answer until the decision is announced."))
	} else {
		frozen := "The decision was announced with your answer in it."
		if a := l.Announced; a != nil {
			frozen = fmt.Sprintf("The decision (%s) was announced on %s with your answer in it.", a.Outcome, when(l, a.At))
		}
		blocks = append(blocks, contextBlock(frozen+" To change it, someone asks for a new round with `approvals`."))
	}
	return Message{
		Text: clip(Escape(fmt.Sprintf("You answered %s for %s of the launch %s.", role.Verdict,
			oneLine(role.Name), oneLine(l.Name))), maxMessageText),
		Blocks: blocks,
	}
}

// ConditionsModal asks the holder for the conditions of their approval.
func ConditionsModal(ref ApprovalRef, current string) slack.ModalViewRequest {
	return noteModal(ref, ConditionsCallbackID, "Approve with conditions", "Approve",
		fmt.Sprintf("You approve *%s* on conditions. Say what must happen, and by when: they are shown in the announcement.", Escape(clip(oneLine(ref.Role), 100))),
		"Conditions", "WAF rules deployed before GA; on-call rota published", current)
}

// RejectModal asks the holder for the reason of their rejection.
func RejectModal(ref ApprovalRef, current string) slack.ModalViewRequest {
	return noteModal(ref, RejectCallbackID, "Reject", "Reject",
		fmt.Sprintf("You reject the launch as *%s*. Say why, and what would change your answer: the reason is shown in the NO-GO announcement.", Escape(clip(oneLine(ref.Role), 100))),
		"Reason", "Pen test findings still open", current)
}

func noteModal(ref ApprovalRef, callback, title, submit, intro, label, hint, current string) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(plain(hint), NoteAction)
	input.Multiline = true
	input.MaxLength = NoteMax
	input.InitialValue = clipPlain(current, NoteMax)
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callback,
		Title:      plain(title),
		Submit:     plain(submit),
		Close:      plain("Cancel"),
		// Our own value, but it comes back in a payload: the handler checks it.
		PrivateMetadata: ref.String(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(intro),
			slack.NewInputBlock(NoteBlock, plain(label), nil, input),
		}},
	}
}

// Roles lists each role with its holder and verdict, and says which roles
// nobody holds: they never count as approved.
func Roles(l *launch.Launch, now time.Time) Message {
	name := clip(oneLine(l.Name), 130)
	blocks := []slack.Block{header("Roles: " + name)}
	lines := roleLines(l, l.Decide(now).Roles)[1:]
	if len(l.Checklist.Roles) == 0 {
		lines = []string{"_No approver roles yet: add one with `role add \"Security Lead\"`._"}
	}
	blocks = append(blocks, lineBlocks(lines, approvalRoleBlocks, moreLine("roles"))...)
	unheld := l.Unheld()
	if len(unheld) > 0 {
		blocks = append(blocks, contextBlock(fmt.Sprintf("Nobody holds %s: not counted as approved until someone does and answers. The launch's creator assigns a role with `role \"&lt;Role Name&gt;\" @user`.",
			Escape(clip(strings.Join(unheld, ", "), 1000)))))
	} else if len(l.Checklist.Roles) > 0 {
		blocks = append(blocks, contextBlock("`approvals` asks every holder for their answer by DM."))
	}
	return Message{
		Text:   clip(Escape(fmt.Sprintf("Roles of %s: %d, %d without a holder.", name, len(l.Checklist.Roles), len(unheld))), maxMessageText),
		Blocks: blocks,
	}
}

// Announcement is the decision posted in the launch channel. Its fallback
// text starts with the decision: GO, CONDITIONAL GO, NO-GO or PENDING. It
// gives the conditions of a CONDITIONAL GO, every failing gate and every
// rejection reason of a NO-GO, who has still to answer for a PENDING; and
// always the readiness, each gate with value and threshold, each role's
// verdict with the person and the time, the sign-offs, and for a NO-GO the
// next review date.
func Announcement(l *launch.Launch, now time.Time) Message {
	rep := l.Decide(now)
	d := rep.Decision
	name := clip(oneLine(l.Name), 120)
	blocks := []slack.Block{header(fmt.Sprintf("%s %s: %s", outcomeIcon(d.Outcome), rep.OutcomeText(), name))}
	blocks = append(blocks, lineBlocks(decisionWhy(l, rep), announceReasonBlocks, moreLine("reasons"))...)

	fields := []*slack.TextBlockObject{
		mrkdwn("*Readiness*\n`" + Bar(rep.Readiness.Percent()) + "` " + rep.Readiness.String() + dueWindows(rep)),
		mrkdwn("*Launch date*\n" + Escape(l.When()) + ", " + l.Countdown(now)),
	}
	if a := l.Announced; a != nil {
		fields = append(fields, mrkdwn("*Announced*\n"+when(l, a.At)+announcedBy(a)))
	}
	if d.Outcome == checklist.OutcomeNoGo {
		review := "not set yet: `review &lt;YYYY-MM-DD&gt;`"
		if l.ReviewDate != "" {
			review = Escape(l.ReviewDate)
		}
		fields = append(fields, mrkdwn("*Next review*\n"+review))
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil), slack.NewDividerBlock())
	blocks = append(blocks, lineBlocks(gateLines(rep.Gates), approvalGateBlocks, moreLine("gates"))...)
	blocks = append(blocks, lineBlocks(waiverLines(rep), waiverBlocks, moreLine("waivers"))...)
	blocks = append(blocks, lineBlocks(probeLines(l, now), probeBlocks, moreLine("failing probes"))...)
	blocks = append(blocks, lineBlocks(verdictLines(l, rep.Roles), approvalRoleBlocks, moreLine("roles"))...)
	blocks = append(blocks, lineBlocks(signoffLines(l), announceSignoffBlocks, moreLine("sections"))...)
	blocks = append(blocks, contextBlock("Computed from the checklist's own rules: a GO needs every gate passing and every role approved. The decision and its inputs are kept in the audit log."))
	return Message{Text: clip(announcementText(l, rep), maxMessageText), Blocks: blocks}
}

// announcementText is the fallback, starting with the decision itself.
func announcementText(l *launch.Launch, rep checklist.Report) string {
	d := rep.Decision
	name := Escape(oneLine(l.Name))
	switch d.Outcome {
	case checklist.OutcomeGo:
		if len(rep.Roles) == 0 {
			return fmt.Sprintf("%s for %s: every gate passes; %s.", rep.OutcomeText(), name, checklist.ReasonNoApprovers)
		}
		return fmt.Sprintf("%s for %s: every gate passes and every role approved.", rep.OutcomeText(), name)
	case checklist.OutcomeConditional:
		return fmt.Sprintf("%s for %s, on %s: %s", rep.OutcomeText(), name, plural(len(d.Conditions), "condition"), Escape(oneLine(strings.Join(d.Conditions, "; "))))
	case checklist.OutcomeNoGo:
		failing, rejected := 0, 0
		for _, g := range rep.Gates {
			if !g.Passed {
				failing++
			}
		}
		for _, r := range rep.Roles {
			if r.Verdict == checklist.VerdictRejected {
				rejected++
			}
		}
		readiness := "readiness " + rep.Readiness.String()
		if rep.Readiness.Empty() {
			readiness = "nothing counts towards readiness"
		}
		return fmt.Sprintf("NO-GO for %s: %s failing, %s; %s.", name, plural(failing, "gate"), plural(rejected, "rejection"), readiness)
	default:
		return fmt.Sprintf("PENDING for %s: waiting for %s.", name, Escape(oneLine(strings.Join(pendingRoles(rep), ", "))))
	}
}

// plural counts things: "1 gate", "5 gates".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// decisionWhy is the heart of the announcement, by outcome; a GO that
// counts waivers says that it stands only while they do.
func decisionWhy(l *launch.Launch, rep checklist.Report) []string {
	lines := outcomeWhy(l, rep)
	if n := len(rep.Waivers); n > 0 && (rep.Decision.Outcome == checklist.OutcomeGo || rep.Decision.Outcome == checklist.OutcomeConditional) {
		lines = append(lines, fmt.Sprintf("_It counts %s, listed below: when one lapses, its item reopens and the decision must be taken again._", plural(n, "waiver")))
	}
	return lines
}

func outcomeWhy(l *launch.Launch, rep checklist.Report) []string {
	d := rep.Decision
	switch d.Outcome {
	case checklist.OutcomeGo:
		if len(rep.Roles) == 0 {
			return []string{fmt.Sprintf("Every gate passes: *%s* is GO for %s.", Escape(oneLine(l.Name)), Escape(l.When())),
				"No approvers named: nobody approved. Add one with `role add \"Security Lead\"`."}
		}
		return []string{fmt.Sprintf("Every gate passes and every role approved: *%s* is GO for %s.", Escape(oneLine(l.Name)), Escape(l.When()))}
	case checklist.OutcomeConditional:
		lines := []string{fmt.Sprintf("Every gate passes and every role approved, %d on conditions:", len(d.Conditions))}
		for _, c := range d.Conditions {
			lines = append(lines, "• "+Escape(clip(oneLine(c), 1000)))
		}
		return lines
	case checklist.OutcomeNoGo:
		lines := []string{"*Why NO-GO*"}
		for _, g := range rep.Gates {
			if g.Passed {
				continue
			}
			value := g.Count.String()
			if g.Unresolved {
				value = "not found in the checklist"
			}
			lines = append(lines, fmt.Sprintf("❌ *%s*: %s, needs %s", Escape(clip(oneLine(g.Name), 150)), value, Escape(g.Rule())))
		}
		if why := rep.NothingCounted(); why != "" {
			lines = append(lines, "❌ "+Escape(why))
		}
		for _, r := range rep.Roles {
			if r.Verdict == checklist.VerdictRejected {
				lines = append(lines, fmt.Sprintf("❌ *%s* rejected (%s): %s", Escape(clip(oneLine(r.Name), 100)), mention(r.Holder), Escape(clip(oneLine(r.Note), 1000))))
			}
		}
		return lines
	default:
		lines := []string{"*Still to answer*"}
		for _, r := range rep.Roles {
			if r.Verdict != checklist.VerdictPending && r.Verdict != "" {
				continue
			}
			who := "nobody holds it yet: `role \"" + Escape(clip(oneLine(r.Name), 100)) + "\" @user`"
			if r.Holder != "" {
				who = mention(r.Holder)
			}
			lines = append(lines, "⏳ *"+Escape(clip(oneLine(r.Name), 100))+"*: "+who)
		}
		return lines
	}
}

// dueWindows notes, after the readiness figure, when it counts the time
// windows due by launch.
func dueWindows(rep checklist.Report) string {
	if !rep.DueWindows {
		return ""
	}
	return "\n_time windows due by launch_"
}

func pendingRoles(rep checklist.Report) []string {
	var names []string
	for _, r := range rep.Roles {
		if r.Verdict == checklist.VerdictPending || r.Verdict == "" {
			names = append(names, r.Name)
		}
	}
	return names
}

// verdictLines gives each role's verdict with the person and the time.
func verdictLines(l *launch.Launch, roles []checklist.Role) []string {
	lines := []string{"*Approvals*"}
	if len(roles) == 0 {
		return append(lines, "_No approver roles: add one with `role add \"Security Lead\"`._")
	}
	for _, r := range roles {
		line := fmt.Sprintf("%s *%s*: ", verdictIcon(r.Verdict), Escape(clip(oneLine(r.Name), 100)))
		switch {
		case r.Holder == "":
			line += "nobody holds it"
		case r.Verdict == checklist.VerdictPending || r.Verdict == "":
			line += "pending, " + mention(r.Holder)
		default:
			line += string(r.Verdict) + " by " + mention(r.By) + ", " + when(l, r.At)
			if r.Note != "" {
				line += ": _" + Escape(clip(oneLine(r.Note), 500)) + "_"
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// signoffLines lists the sections that take a sign-off, signed or not.
func signoffLines(l *launch.Launch) []string {
	lines := []string{"*Sign-offs*"}
	for _, s := range l.Checklist.Sections {
		if !s.HasSignoff && s.Signoff == nil {
			continue
		}
		title := Escape(clip(oneLine(s.Title), 100))
		if so := s.Signoff; so != nil {
			line := fmt.Sprintf("✅ %s: signed off by %s, %s", title, mention(so.By), when(l, so.At))
			if so.OpenItems > 0 {
				line += fmt.Sprintf(", with %d open items", so.OpenItems)
			}
			lines = append(lines, line)
			continue
		}
		lines = append(lines, "⏳ "+title+": not signed off")
	}
	if len(lines) == 1 {
		return nil
	}
	return lines
}

// StaleNotice tells the channel that the announced GO no longer stands.
func StaleNotice(l *launch.Launch) Message {
	outcome, at, by := checklist.OutcomeGo, "", ""
	if a := l.Announced; a != nil {
		outcome, at, by = a.Outcome, " on "+when(l, a.At), announcedBy(a)
	}
	text := fmt.Sprintf("The %s was given on different facts; run `decide` again.", outcome)
	return Message{
		Text: text,
		Blocks: []slack.Block{
			section(fmt.Sprintf("⚠️ *The %s announced%s%s was given on different facts*: the checklist or an approval has changed since. It no longer stands: run `decide` again.", outcome, at, by)),
		},
	}
}

// SignoffConfirm asks whoever signs off a section with open items to confirm.
func SignoffConfirm(l *launch.Launch, s *checklist.Section) Message {
	open := launch.OpenItems(s)
	title := Escape(clip(oneLine(s.Title), 150))
	ref := SignoffRef{LaunchID: l.ID, Section: s.Index}.String()
	confirm := slack.NewButtonBlockElement(ActionSignoffConfirm, ref, plain("Sign off anyway"))
	confirm.Style = slack.StylePrimary
	cancel := slack.NewButtonBlockElement(ActionSignoffCancel, ref, plain("Cancel"))
	return Message{
		Text: clip(Escape(fmt.Sprintf("Sign off %s with %d open items?", oneLine(s.Title), open)), maxMessageText),
		Blocks: []slack.Block{
			section(fmt.Sprintf("*%s* has %d open items. Sign it off anyway? It is recorded as signed off with %d open items, and unticking any of its items later voids the sign-off.", title, open, open)),
			slack.NewActionBlock("signoff", confirm, cancel),
		},
	}
}

// summaryFields is the launch at a glance: date, readiness, gates, decision.
func summaryFields(l *launch.Launch, rep checklist.Report, now time.Time) *slack.SectionBlock {
	return slack.NewSectionBlock(nil, []*slack.TextBlockObject{
		mrkdwn("*Launch date*\n" + Escape(l.When()) + "\n" + l.Countdown(now)),
		mrkdwn("*Readiness*\n`" + Bar(rep.Readiness.Percent()) + "` " + rep.Readiness.String() + dueWindows(rep)),
		mrkdwn("*Gates*\n" + gateTally(rep.Gates)),
		mrkdwn("*Decision now*\n" + outcomeIcon(rep.Decision.Outcome) + " " + rep.OutcomeText()),
	}, nil)
}

func answerButtons(ref, approve, conditions, reject string) *slack.ActionBlock {
	a := slack.NewButtonBlockElement(ActionApprove, ref, plain(approve))
	a.Style = slack.StylePrimary
	c := slack.NewButtonBlockElement(ActionConditions, ref, plain(conditions))
	r := slack.NewButtonBlockElement(ActionReject, ref, plain(reject))
	r.Style = slack.StyleDanger
	return slack.NewActionBlock("approval", a, c, r)
}

// blockingBlocks lists the open items of every failing required or
// priority gate, capped, saying how many more there are.
func blockingBlocks(l *launch.Launch, rep checklist.Report) []slack.Block {
	items := blockingItems(l, rep)
	if len(items) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("*Open items keeping a required gate failing* (%d)", len(items))}
	for i, it := range items {
		if i == blockingItemLines {
			lines = append(lines, fmt.Sprintf("_… and %d more (`checklist` shows them)_", len(items)-i))
			break
		}
		line := fmt.Sprintf("• `%d` %s", it.Number, Escape(clip(oneLine(it.Text), 150)))
		if it.Owner != "" {
			line += " · " + mention(it.Owner)
		}
		lines = append(lines, line)
	}
	return lineBlocks(lines, 2, moreLine("items"))
}

// blockingItems returns, in document order and once each, the open items
// measured by a failing gate that must reach its threshold for GO: the
// required gates and the priority (P0) gates.
func blockingItems(l *launch.Launch, rep checklist.Report) []*checklist.Item {
	blocking := map[int]bool{}
	for _, g := range rep.Gates {
		if g.Passed || (g.Kind != checklist.GateRequired && g.Kind != checklist.GatePriority) {
			continue
		}
		for _, it := range gateItems(l.Checklist, rep, g.Gate) {
			if !it.Done {
				blocking[it.Number] = true
			}
		}
	}
	var out []*checklist.Item
	for _, it := range l.Checklist.Items() {
		if blocking[it.Number] {
			out = append(out, it)
		}
	}
	return out
}

// gateItems returns the items a gate measures, as checklist.Score does: the
// overall gate measures the groups the report counts towards readiness.
func gateItems(c *checklist.Checklist, rep checklist.Report, g checklist.Gate) []*checklist.Item {
	var out []*checklist.Item
	for _, s := range c.Sections {
		for gi, grp := range s.Groups {
			for _, it := range grp.Items {
				switch {
				case g.Target.Priority != "":
					if it.Priority == g.Target.Priority {
						out = append(out, it)
					}
				case g.Target.Section < 0:
					if counted(rep, s.Index, gi) {
						out = append(out, it)
					}
				case g.Target.Section == s.Index && (g.Target.Group < 0 || g.Target.Group >= len(s.Groups) || g.Target.Group == gi):
					out = append(out, it)
				}
			}
		}
	}
	return out
}

// counted tells whether the report counts a group towards readiness.
func counted(rep checklist.Report, section, group int) bool {
	return section < len(rep.Sections) && group < len(rep.Sections[section].Groups) && rep.Sections[section].Groups[group].Counted
}

// announcedBy says who asked for an announcement: a person, or golive
// itself when the last role answered.
func announcedBy(a *launch.Announcement) string {
	if a.By == launch.Golive {
		return ", when the last role answered"
	}
	return " at the request of " + mention(a.By)
}

// when formats an instant in the launch's time zone: "2026-11-25 14:03 CET".
func when(l *launch.Launch, t time.Time) string {
	return t.In(l.Location()).Format("2006-01-02 15:04 MST")
}
