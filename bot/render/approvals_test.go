package render

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

func TestApprovalRefRoundTripsAndRefusesForgeries(t *testing.T) {
	for _, ref := range []ApprovalRef{{LaunchID: 42, Role: "Security: Lead"}, {LaunchID: 42, Role: "Security Lead", Version: 17}} {
		got, err := ParseApprovalRef(ref.String())
		require.NoError(t, err)
		assert.Equal(t, ref, got, "a colon in the role name survives")
	}
	assert.Equal(t, "42.17:Security Lead", ApprovalRef{LaunchID: 42, Role: "Security Lead", Version: 17}.String())
	legacy, err := ParseApprovalRef("42:Security Lead")
	require.NoError(t, err)
	assert.Equal(t, ApprovalRef{LaunchID: 42, Role: "Security Lead"}, legacy, "buttons drawn before versions are version 0")

	for _, bad := range []string{"", "42", ":Security Lead", "042:Security Lead", "-1:Security Lead", "4x:Role",
		"1234567890123456:Role", "42:", "42:   ", "42:Role\nInjected", "42:" + strings.Repeat("r", 151), "42:\xff",
		"42.:Role", "42.x:Role", "42.-1:Role", "42.01:Role", "42.1.2:Role", "42.9999999:Role", ".3:Role"} {
		_, err := ParseApprovalRef(bad)
		assert.Error(t, err, "%q", bad)
	}

	s := SignoffRef{LaunchID: 7, Section: 3}
	gotS, err := ParseSignoffRef(s.String())
	require.NoError(t, err)
	assert.Equal(t, s, gotS)
	for _, bad := range []string{"", "7", "7:", "7:-1", "7:03", "0:3", "7:3:1", "x:3"} {
		_, err := ParseSignoffRef(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// seedApprovals is seed 000 with people in the roles, as in peopleSeed000:
// Security Lead rejected, Engineering Lead approved with conditions,
// Product Manager pending, Operations Lead held by nobody.
func seedApprovals(t *testing.T) *launch.Launch {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	untickPeopleSeed000(t, l)
	return l
}

// untickPeopleSeed000 unticks the Security item peopleSeed000 ticks, back
// to seed 000 as written.
func untickPeopleSeed000(t *testing.T, l *launch.Launch) {
	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	sec.Groups[3].Items[1].Done = false
}

// allPassing ticks every item of a launch, so every gate passes.
func allPassing(l *launch.Launch) {
	for _, it := range l.Checklist.Items() {
		it.Done, it.DoneBy, it.DoneAt = true, "U0CREATOR", fixedNow
	}
}

// small is a launch of two sections, one gate each kind and two held roles.
func small() *launch.Launch {
	return &launch.Launch{
		ID: 3, TeamID: "T0TEAM", ChannelID: "C0SMALL", Name: "Checkout v2", Date: "2026-03-02", Timezone: "Europe/Paris", Creator: "U0CREATOR",
		Checklist: &checklist.Checklist{
			Sections: []*checklist.Section{
				{Index: 0, Number: 1, Title: "Security", Kind: checklist.KindReadiness, HasSignoff: true, Owner: "U0DANA",
					Groups: []*checklist.Group{{Items: []*checklist.Item{{Number: 1, Text: "WAF on", Owner: "U0SAM"}, {Number: 2, Text: "Secrets rotated"}}}}},
				{Index: 1, Number: 2, Title: "Docs", Kind: checklist.KindReadiness, HasSignoff: true,
					Groups: []*checklist.Group{{Priority: "P0", Items: []*checklist.Item{{Number: 3, Text: "Runbook", Priority: "P0"}}}}},
			},
			Gates: []checklist.Gate{
				{Name: "Security", Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: 0, Group: -1}},
				{Name: "Every P0 item", Kind: checklist.GatePriority, Threshold: 100, Target: checklist.Target{Section: -1, Group: -1, Priority: "P0"}},
			},
			Roles: []*checklist.Role{
				{Name: "Security Lead", Holder: "U0DANA", Verdict: checklist.VerdictPending},
				{Name: "Product Owner", Holder: "U0PM", Verdict: checklist.VerdictPending},
			},
		},
	}
}

func answer(t *testing.T, l *launch.Launch, role string, v checklist.Verdict, note string) {
	t.Helper()
	r := l.Checklist.Role(role)
	require.NotNil(t, r)
	_, err := l.Answer(r.Holder, role, v, note, fixedNow.Add(-2*time.Hour))
	require.NoError(t, err)
}

func announce(t *testing.T, l *launch.Launch) Message {
	t.Helper()
	_, err := l.Announce("U0CREATOR", fixedNow)
	require.NoError(t, err)
	return Announcement(l, fixedNow)
}

func TestAnnouncementTextStartsWithTheDecision(t *testing.T) {
	pending := small()
	allPassing(pending)
	noGo := small()
	answer(t, noGo, "Security Lead", checklist.VerdictRejected, "Pen test open")
	conditional := small()
	allPassing(conditional)
	answer(t, conditional, "Security Lead", checklist.VerdictConditional, "WAF rules reviewed by Friday")
	answer(t, conditional, "Product Owner", checklist.VerdictApproved, "")
	goLaunch := small()
	allPassing(goLaunch)
	answer(t, goLaunch, "Security Lead", checklist.VerdictApproved, "")
	answer(t, goLaunch, "Product Owner", checklist.VerdictApproved, "")

	for word, l := range map[string]*launch.Launch{"PENDING": pending, "NO-GO": noGo, "CONDITIONAL GO": conditional, "GO": goLaunch} {
		t.Run(word, func(t *testing.T) {
			m := announce(t, l)
			assert.True(t, strings.HasPrefix(m.Text, word+" "), "text %q", m.Text)
			assert.Empty(t, CheckMessage(m))
			golden(t, "Announcement_"+strings.ReplaceAll(word, " ", "_"), m)
		})
	}

	s := mrkdwnText(t, Announcement(conditional, fixedNow))
	assert.Contains(t, s, "Security Lead: WAF rules reviewed by Friday", "the conditions")
	s = mrkdwnText(t, Announcement(pending, fixedNow))
	assert.Contains(t, s, "⏳ *Security Lead*: <@U0DANA>", "who has still to answer")
	assert.Contains(t, s, "⏳ *Product Owner*: <@U0PM>")
}

// TestSeed000NoGoAnnouncement checks the exact figures of seed 000 as written.
func TestSeed000NoGoAnnouncement(t *testing.T) {
	l := seedApprovals(t)
	_, err := l.SetReview("U0CREATOR", "2026-02-25", fixedNow)
	require.NoError(t, err)

	m := announce(t, l)
	require.True(t, strings.HasPrefix(m.Text, "NO-GO for Realtor AI Copilot: "), m.Text)
	assert.Contains(t, m.Text, "78/199 = 39.2%")
	s := mrkdwnText(t, m)
	for _, want := range []string{
		"❌ *Security*: 19/32 = 59.4%, needs ≥ 100%",
		"❌ *Disaster Recovery backups*: 0/6 = 0.0%, needs ≥ 100%",
		"❌ *Monitoring*: 13/34 = 38.2%, needs &gt; 90%",
		"❌ *Documentation*: 7/21 = 33.3%, needs &gt; 90%",
		"✅ *Infrastructure*: 19/21 = 90.5%, needs &gt; 90%, passing",
		"✅ *Health Checks*: 5/5 = 100.0%",
		"✅ *Core Features*: 10/10 = 100.0%",
		"39.2%, needs ≥ 85%",
		"❌ *Security Lead* rejected (<@U0DANA>): Secrets still in &lt;!channel&gt; env files &amp; no WAF",
		"🟡 *Engineering Lead*: approved with conditions by <@U0ENG>, 2026-02-17 10:30 CET: _Load test before GA_",
		"⏳ *Product Manager*: pending, <@U0PM>",
		"*Operations Lead*: nobody holds it",
		"*Next review*\n2026-02-25",
		"Infrastructure: not signed off",
		"78/199 = 39.2%",
	} {
		assert.Contains(t, s, want)
	}
	assertInert(t, s)
	assert.Empty(t, CheckMessage(m))
	golden(t, "Announcement_seed000", m)
}

// TestNoGoNamesAGateNotFoundInTheChecklist: a gate whose section the
// checklist lacks fails, and the NO-GO says why rather than show 0/0.
func TestNoGoNamesAGateNotFoundInTheChecklist(t *testing.T) {
	l := small()
	allPassing(l)
	l.Checklist.Gates = append(l.Checklist.Gates, checklist.Gate{Name: "Compliance", Kind: checklist.GateRequired,
		Threshold: 100, Unresolved: true, Target: checklist.Target{Section: -1, Group: -1}})
	s := mrkdwnText(t, announce(t, l))
	assert.Contains(t, s, "*Why NO-GO*\n❌ *Compliance*: not found in the checklist, needs ≥ 100%")
}

func TestNoGoWithoutReviewDateSaysHowToSetOne(t *testing.T) {
	l := small()
	m := announce(t, l)
	assert.Contains(t, mrkdwnText(t, m), "*Next review*\nnot set yet: `review &lt;YYYY-MM-DD&gt;`")
	l = small()
	allPassing(l)
	answer(t, l, "Security Lead", checklist.VerdictApproved, "")
	answer(t, l, "Product Owner", checklist.VerdictApproved, "")
	l.ReviewDate = "2026-02-25"
	assert.NotContains(t, mrkdwnText(t, announce(t, l)), "Next review", "a GO has no review")
}

func TestApprovalRequest(t *testing.T) {
	l := seedApprovals(t)
	m := ApprovalRequest(l, l.Checklist.Role("Product Manager"), fixedNow)
	assert.Empty(t, CheckMessage(m))
	s := mrkdwnText(t, m)
	assert.Contains(t, s, "*Open items keeping a required gate failing* (19)", "13 of Security, 6 of Backup & Recovery")
	assert.Contains(t, s, "_… and 9 more (`checklist` shows them)_")
	assert.Contains(t, s, "Launch in 12 days")
	assert.Contains(t, s, "❌ *Security*: 19/32 = 59.4%, needs ≥ 100%, failing")

	buttons := actionsOf(t, m.Blocks)
	require.Len(t, buttons, 3)
	for _, b := range buttons {
		ref, err := ParseApprovalRef(b.Value)
		require.NoError(t, err)
		assert.Equal(t, ApprovalRef{LaunchID: 7, Role: "Product Manager", Version: 1}, ref, "put in the role once: version 1")
	}
	assert.Equal(t, []string{ActionApprove, ActionConditions, ActionReject},
		[]string{buttons[0].ActionID, buttons[1].ActionID, buttons[2].ActionID})
	golden(t, "ApprovalRequest_seed000", m)
}

func TestApprovalRequestListsOpenP0Items(t *testing.T) {
	l := small()
	l.Checklist.Item(1).Done = true
	l.Checklist.Item(2).Done = true
	s := mrkdwnText(t, ApprovalRequest(l, l.Checklist.Role("Security Lead"), fixedNow))
	assert.Contains(t, s, "(1)")
	assert.Contains(t, s, "• `3` Runbook")
	assert.NotContains(t, s, "WAF on", "a passing gate blocks nothing")
}

func TestApprovalAnswered(t *testing.T) {
	l := seedApprovals(t)
	role := l.Checklist.Role("Security Lead")
	open := ApprovalAnswered(l, role, true, fixedNow)
	assert.Empty(t, CheckMessage(open))
	assert.Len(t, actionsOf(t, open.Blocks), 3, "the answer can change")
	s := mrkdwnText(t, open)
	assert.Contains(t, s, "❌ *rejected* on 2026-02-17 10:30 CET")
	assert.Contains(t, s, "*Reason:* Secrets still in &lt;!channel&gt; env files &amp; no WAF")
	golden(t, "ApprovalAnswered_open", open)

	_, err := l.Announce("U0CREATOR", fixedNow)
	require.NoError(t, err)
	frozen := ApprovalAnswered(l, role, false, fixedNow)
	assert.Empty(t, CheckMessage(frozen))
	assert.Empty(t, actionsOf(t, frozen.Blocks), "no buttons once announced")
	assert.Contains(t, mrkdwnText(t, frozen), "The decision (NO-GO) was announced on 2026-02-18 10:30 CET")
	golden(t, "ApprovalAnswered_frozen", frozen)
}

func TestNoteModals(t *testing.T) {
	ref := ApprovalRef{LaunchID: 7, Role: "Security Lead"}
	for name, v := range map[string]slack.ModalViewRequest{
		"ConditionsModal": ConditionsModal(ref, "Load test <!here>"),
		"RejectModal":     RejectModal(ref, ""),
	} {
		t.Run(name, func(t *testing.T) {
			assert.Empty(t, CheckModal(v))
			got, err := ParseApprovalRef(v.PrivateMetadata)
			require.NoError(t, err)
			assert.Equal(t, ref, got)
			golden(t, name, v)
		})
	}
	assert.Equal(t, ConditionsCallbackID, ConditionsModal(ref, "").CallbackID)
	assert.Equal(t, RejectCallbackID, RejectModal(ref, "").CallbackID)
}

func TestRolesAndNotices(t *testing.T) {
	l := seedApprovals(t)
	roles := Roles(l, fixedNow)
	assert.Empty(t, CheckMessage(roles))
	assert.Contains(t, mrkdwnText(t, roles), "Nobody holds Operations Lead")
	golden(t, "Roles_seed000", roles)

	empty := small()
	empty.Checklist.Roles = nil
	assert.Contains(t, mrkdwnText(t, Roles(empty, fixedNow)), "No approver roles yet")

	_, err := l.Announce("U0CREATOR", fixedNow)
	require.NoError(t, err)
	l.Announced.Outcome = checklist.OutcomeGo
	stale := StaleNotice(l)
	assert.Equal(t, "The GO was given on different facts; run `decide` again.", stale.Text)
	assert.Empty(t, CheckMessage(stale))
	golden(t, "StaleNotice", stale)

	sec, err := l.FindSection("Security")
	require.NoError(t, err)
	confirm := SignoffConfirm(l, sec)
	assert.Empty(t, CheckMessage(confirm))
	assert.Equal(t, "Sign off Security with 13 open items?", confirm.Text)
	buttons := actionsOf(t, confirm.Blocks)
	require.Len(t, buttons, 2)
	ref, err := ParseSignoffRef(buttons[0].Value)
	require.NoError(t, err)
	assert.Equal(t, SignoffRef{LaunchID: 7, Section: sec.Index}, ref)
	golden(t, "SignoffConfirm", confirm)
}

// TestApprovalMessagesStayInsideLimits renders every approval message for
// a launch with long names and many gates, roles and open items.
func TestApprovalMessagesStayInsideLimits(t *testing.T) {
	l := generated(40, 5, 10, 600)
	for i := range 30 {
		l.Checklist.Gates = append(l.Checklist.Gates, checklist.Gate{Name: strings.Repeat("gate ", 40), Kind: checklist.GateRequired,
			Threshold: 100, Target: checklist.Target{Section: i, Group: -1}})
	}
	for i, r := range l.Checklist.Roles {
		r.Holder = "U0OWNER"
		// Longer than launch.MaxNote allows today: stored before it, the
		// note must still render inside Slack's limits.
		r.Verdict, r.Note, r.By, r.At = checklist.VerdictRejected, strings.Repeat("because <!here> ", 60+i), "U0OWNER", fixedNow
	}
	for i := range 20 {
		l.Checklist.Roles = append(l.Checklist.Roles, &checklist.Role{Name: strings.Repeat("x", 60) + string(rune('a'+i)), Verdict: checklist.VerdictPending})
	}
	for _, s := range l.Checklist.Sections {
		s.Signoff = &checklist.Signoff{By: "U0OWNER", At: fixedNow, OpenItems: 7}
	}
	l.ReviewDate = "2026-03-01"
	role := l.Checklist.Roles[0]
	msgs := map[string]Message{
		"request":  ApprovalRequest(l, role, fixedNow),
		"answered": ApprovalAnswered(l, role, true, fixedNow),
		"roles":    Roles(l, fixedNow),
		"nogo":     announce(t, l),
		"stale":    StaleNotice(l),
		"signoff":  SignoffConfirm(l, l.Checklist.Sections[0]),
	}
	allPassing(l)
	for _, r := range l.Checklist.Roles {
		r.Verdict, r.Note = checklist.VerdictPending, ""
	}
	msgs["pending"] = Announcement(l, fixedNow)
	for _, r := range l.Checklist.Roles {
		r.Holder, r.Verdict, r.Note = "U0OWNER", checklist.VerdictConditional, strings.Repeat("condition & ", 90)
	}
	msgs["conditional"] = Announcement(l, fixedNow)
	for name, m := range msgs {
		assert.Empty(t, CheckMessage(m), name)
		assertInert(t, mrkdwnText(t, m))
	}
	assert.True(t, strings.HasPrefix(msgs["conditional"].Text, "CONDITIONAL GO "), msgs["conditional"].Text)
	assert.True(t, strings.HasPrefix(msgs["pending"].Text, "PENDING "))
}

func TestHostileTextInApprovalMessagesIsInert(t *testing.T) {
	l := small()
	l.Name = hostile
	l.Checklist.Item(1).Text = hostile
	l.Checklist.Sections[0].Title = hostile
	l.Checklist.Gates[0].Name = hostile
	l.Checklist.Roles[0].Name = hostile
	answer(t, l, hostile, checklist.VerdictRejected, hostile)
	l.Checklist.Sections[0].Signoff = &checklist.Signoff{By: hostile, At: fixedNow}
	role := l.Checklist.Roles[0]
	mentions := map[string]bool{"request": true, "roles": true, "nogo": true}
	for name, m := range map[string]Message{
		"request":  ApprovalRequest(l, l.Checklist.Roles[1], fixedNow),
		"answered": ApprovalAnswered(l, role, true, fixedNow),
		"roles":    Roles(l, fixedNow),
		"nogo":     announce(t, l),
		"stale":    StaleNotice(l),
		"signoff":  SignoffConfirm(l, l.Checklist.Sections[0]),
	} {
		s := mrkdwnText(t, m)
		assertInert(t, s)
		if mentions[name] {
			assert.Contains(t, s, "<@U0", name+": our own mentions stay live")
		}
	}
	for _, v := range []slack.ModalViewRequest{ConditionsModal(ApprovalRef{LaunchID: 1, Role: hostile}, hostile), RejectModal(ApprovalRef{LaunchID: 1, Role: hostile}, "")} {
		assertInert(t, mrkdwnText(t, v))
	}
}

// actionsOf returns the buttons of a message's actions blocks.
func actionsOf(t *testing.T, blocks []slack.Block) []*slack.ButtonBlockElement {
	t.Helper()
	var out []*slack.ButtonBlockElement
	for _, b := range blocks {
		a, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, e := range a.Elements.ElementSet {
			btn, ok := e.(*slack.ButtonBlockElement)
			require.True(t, ok)
			out = append(out, btn)
		}
	}
	return out
}
