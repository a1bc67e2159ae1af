package render

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/templates"
	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
)

// everything renders every message and view the package can produce for a
// launch, by name.
func everything(l *launch.Launch) map[string]any {
	out := map[string]any{
		"status":       Status(l, testTOD, fixedNow),
		"help":         Help("/golive"),
		"notice":       Notice(strings.Repeat("Long notice <!here> & ", 400)),
		"import modal": ImportModal(l.ChannelID),
		"home creator": Home(l.Creator, []*launch.Launch{l}, nil, fixedNow),
		"home owner":   Home("U0OWNER", []*launch.Launch{l}, nil, fixedNow),
		"home none":    Home("U0NOBODY", []*launch.Launch{l}, nil, fixedNow),
		"templates":    Templates(templates.List()),
		"roles":        Roles(l, fixedNow),
	}
	for _, c := range Commands {
		out["usage "+c.Name] = Usage("/golive", c.Name)
	}
	for s := range l.Checklist.Sections {
		for p := range Pages(l, s) {
			v := View{Section: s, Page: p}
			out["checklist "+v.String()] = Checklist(l, v, strings.Repeat("<@U0DANA> ticked 12 ", 300))
		}
	}
	return out
}

func checkAny(v any) []string {
	switch v := v.(type) {
	case Message:
		return CheckMessage(v)
	case slack.ModalViewRequest:
		return CheckModal(v)
	case slack.HomeTabViewRequest:
		return CheckHome(v)
	}
	return []string{fmt.Sprintf("unknown kind %T", v)}
}

// TestEveryMessageStaysInsideSlackLimits renders everything for the seeds and
// for generated checklists at the edges: 500 items, one section of 300 items
// with 500-character texts, 120 sections.
func TestEveryMessageStaysInsideSlackLimits(t *testing.T) {
	for name, l := range map[string]*launch.Launch{
		"seed000":           seedLaunch(t, "seed000.md"),
		"seed004":           seedLaunch(t, "seed004.md"),
		"500 items":         generated(10, 5, 10, 120),
		"300-item section":  generated(1, 10, 30, 500),
		"120 sections":      generated(120, 2, 3, 500),
		"300 in one group":  generated(1, 1, 300, 500),
		"many gates, roles": manyGatesAndRoles(),
	} {
		for what, v := range everything(l) {
			assert.Empty(t, checkAny(v), "%s: %s", name, what)
		}
	}
}

// TestNoStrayAngleBrackets: in mrkdwn, a "<" opens a link, a mention or a
// special command; the only ones golive writes are user and channel
// mentions built from stored ids.
func TestNoStrayAngleBrackets(t *testing.T) {
	l := seedLaunch(t, "seed000.md")
	peopleSeed000(t, l)
	for what, v := range everything(l) {
		s := mrkdwnText(t, v)
		for i := strings.IndexByte(s, '<'); i >= 0; i = next(s, i) {
			assert.True(t, userMention.MatchString(s[i:]) || channelMention.MatchString(s[i:]), "%s: stray %q", what, s[i:min(i+20, len(s))])
		}
	}
}

var (
	userMention    = regexp.MustCompile(`^<@[UW][A-Z0-9]+>`)
	channelMention = regexp.MustCompile(`^<#[CG][A-Z0-9]+>`)
)

func next(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '<')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func manyGatesAndRoles() *launch.Launch {
	l := generated(150, 1, 2, 30)
	for i := range 200 {
		l.Checklist.Gates = append(l.Checklist.Gates, checklist.Gate{Name: fmt.Sprintf("Gate %d %s", i, strings.Repeat("g", 200)),
			Kind: checklist.GateRequired, Threshold: 100, Target: checklist.Target{Section: i % 150, Group: -1}})
		l.Checklist.Roles = append(l.Checklist.Roles, &checklist.Role{Name: fmt.Sprintf("Role %d", i), Holder: "U0OWNER",
			Verdict: checklist.VerdictRejected, Note: strings.Repeat("no ", 300), By: "U0OWNER", At: fixedNow})
	}
	return l
}

// TestCheckLimitsCatchesBreaches makes sure the checker can fail.
func TestCheckLimitsCatchesBreaches(t *testing.T) {
	long := strings.Repeat("x", 3001)
	var many []slack.Block
	for range 51 {
		many = append(many, slack.NewDividerBlock())
	}
	var opts []*slack.OptionBlockObject
	for i := range 11 {
		opts = append(opts, slack.NewOptionBlockObject(fmt.Sprint(i), plain(strings.Repeat("o", 76)), nil))
	}
	opts = append(opts, slack.NewOptionBlockObject(strings.Repeat("9", 75), plain("ok"), nil))
	box := slack.NewCheckboxGroupsBlockElement("tick:0", opts...)
	box.InitialOptions = []*slack.OptionBlockObject{slack.NewOptionBlockObject("0", plain("other text"), nil)}
	for name, c := range map[string]struct {
		blocks []slack.Block
		want   string
	}{
		"blocks":       {many, "51 blocks, over 50"},
		"section":      {[]slack.Block{slack.NewSectionBlock(mrkdwn(long), nil, nil)}, "3001 characters, over 3000"},
		"header":       {[]slack.Block{slack.NewHeaderBlock(plain(strings.Repeat("h", 151)))}, "over 150"},
		"header type":  {[]slack.Block{slack.NewHeaderBlock(mrkdwn("h"))}, "must be plain_text"},
		"empty":        {[]slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, " ", false, false), nil, nil)}, "empty text"},
		"checkboxes":   {[]slack.Block{slack.NewActionBlock("a", box)}, "checkboxes with 12 options"},
		"option text":  {[]slack.Block{slack.NewActionBlock("a", box)}, "76 characters, over 75"},
		"option value": {[]slack.Block{slack.NewActionBlock("a", box)}, "value: 75 characters, over 74"},
		"initial":      {[]slack.Block{slack.NewActionBlock("a", box)}, "initial option \"0\" is not one of its options"},
		"block id":     {[]slack.Block{slack.NewActionBlock(strings.Repeat("b", 256), box)}, "block_id: 256 characters"},
		"duplicate":    {[]slack.Block{slack.NewDividerBlock(), slack.NewActionBlock("a", box), slack.NewActionBlock("a", box)}, "duplicate block_id"},
		"button":       {[]slack.Block{slack.NewActionBlock("", slack.NewButtonBlockElement("b", "v", plain(strings.Repeat("b", 76))))}, "button text: 76 characters"},
		"context":      {[]slack.Block{contextN(11)}, "context with 11 elements"},
		"fields":       {[]slack.Block{slack.NewSectionBlock(nil, fieldsN(11), nil)}, "11 fields"},
	} {
		errs := CheckLimits(c.blocks)
		if assert.NotEmpty(t, errs, name) && c.want != "" {
			assert.Contains(t, strings.Join(errs, "\n"), c.want, name)
		}
	}
	assert.NotEmpty(t, CheckMessage(Message{Blocks: []slack.Block{section("x")}}), "a message without fallback text")
	assert.NotEmpty(t, CheckMessage(Message{Text: strings.Repeat("t", 4000), Blocks: []slack.Block{section("x")}}))
	modal := ImportModal("C0LAUNCH")
	modal.Title = plain(strings.Repeat("t", 25))
	modal.PrivateMetadata = strings.Repeat("m", 3001)
	errs := strings.Join(CheckModal(modal), "\n")
	assert.Contains(t, errs, "modal title: 25 characters")
	assert.Contains(t, errs, "private_metadata: 3001 characters")
}

func contextN(n int) *slack.ContextBlock {
	var els []slack.MixedElement
	for range n {
		els = append(els, mrkdwn("c"))
	}
	return slack.NewContextBlock("", els...)
}

func fieldsN(n int) []*slack.TextBlockObject {
	var fs []*slack.TextBlockObject
	for range n {
		fs = append(fs, mrkdwn("f"))
	}
	return fs
}

// FuzzMessagesStayInsideLimits renders a launch whose user text is arbitrary:
// every message must stay inside Slack's limits and keep user text inert.
func FuzzMessagesStayInsideLimits(f *testing.F) {
	f.Add("<!channel>", "Security & co", "x", 3)
	f.Add(strings.Repeat("é&<", 400), "", "\n\n", 40)
	f.Fuzz(func(t *testing.T, text, title, name string, n int) {
		l := generated(2, 2, min(max(n, 1), 40), 10)
		l.Name = name
		for _, s := range l.Checklist.Sections {
			s.Title = title
			for _, g := range s.Groups {
				g.Title, g.Owner = title, text
				for _, it := range g.Items {
					it.Text, it.Note, it.Subgroup = text, text, title
				}
			}
		}
		l.Checklist.Roles[0].Note = text
		for what, v := range everything(l) {
			if errs := checkAny(v); len(errs) > 0 {
				t.Fatalf("%s: %v", what, errs)
			}
			if what == "notice" {
				continue
			}
			s := mrkdwnText(t, v)
			for _, live := range []string{"<!channel>", "<!here>"} {
				if strings.Contains(s, live) {
					t.Fatalf("%s: %q is live", what, live)
				}
			}
		}
	})
}

// TestCheckViewSize: a view within the block limits but over 250 kB of JSON
// is refused, as Slack refuses it (view_too_large).
func TestCheckViewSize(t *testing.T) {
	var blocks []slack.Block
	for range 90 {
		blocks = append(blocks, section(strings.Repeat("x", 2900)))
	}
	v := slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Big"), Blocks: slack.Blocks{BlockSet: blocks}}
	assert.Contains(t, strings.Join(CheckModal(v), "\n"), "bytes of JSON, over 250000")
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	assert.Contains(t, strings.Join(CheckHome(home), "\n"), "bytes of JSON, over 250000")
	v.Blocks.BlockSet = blocks[:80]
	assert.Empty(t, CheckModal(v), "240 kB is fine")
}
