package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/suggest"
)

func TestSplitArgs(t *testing.T) {
	cases := map[string][]string{
		``:                                        nil,
		`  tick   12  14 `:                        {"tick", "12", "14"},
		`new "Checkout v2" 2026-12-01`:            {"new", "Checkout v2", "2026-12-01"},
		`new “Checkout v2” 2026-12-01`:            {"new", "Checkout v2", "2026-12-01"},
		`new ”Checkout v2” 2026-12-01`:            {"new", "Checkout v2", "2026-12-01"},
		`role "Security Lead" <@U123|dana smith>`: {"role", "Security Lead", "<@U123|dana smith>"},
		`owner R&amp;D &lt;b&gt; <@U1>`:           {"owner", "R&D", "<b>", "<@U1>"},
		`new ""`:                                  {"new", ""},
		`a<b`:                                     {"a<b"},
	}
	for in, want := range cases {
		got, err := splitArgs(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := splitArgs(`new "Checkout v2 2026-12-01`)
	assert.ErrorContains(t, err, "A quote is not closed")
}

// TestUserRef: people come from Slack, never from a name someone typed.
func TestUserRef(t *testing.T) {
	h := newHarness(t)
	h.slack.person("UDANA0001", fakePerson{email: "dana@example.com"})
	h.slack.person("UGONE0001", fakePerson{deleted: true, email: "gone@example.com"})
	h.slack.person("UAPP00001", fakePerson{bot: true})
	ctx, log := context.Background(), h.bot.log
	cases := map[string]string{
		"<@U123ABC>":                  "U123ABC",
		"<@U123ABC|ann>":              "U123ABC",
		"<@W123ABC|dana smith>":       "W123ABC",
		"@U0123ABCDE":                 "U0123ABCDE",
		"dana@example.com":            "UDANA0001",
		"@DANA@example.com":           "UDANA0001",
		"<mailto:dana@example.com|x>": "UDANA0001",
	}
	for in, want := range cases {
		got, err := h.bot.userRef(ctx, "T1", log, in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for in, why := range map[string]string{
		"@dana":                      "pick the person from Slack's list",
		"@ann":                       "pick the person from Slack's list",
		"dana":                       "Say who with an @mention",
		"<#C123|general>":            "Say who with an @mention",
		"<!here>":                    "Say who with an @mention",
		"@":                          "Say who with an @mention",
		"":                           "Say who with an @mention",
		"ghost@example.com":          "Slack knows nobody as ghost@example.com",
		"gone@example.com":           "deactivated",
		"@UGONE0001":                 "deactivated",
		"UAPP00001":                  "an app, not a person",
		"<mailto:ghost@example.com>": "Slack knows nobody",
	} {
		_, err := h.bot.userRef(ctx, "T1", log, in)
		assert.ErrorContains(t, err, why, in)
	}
	// A mention's label is whatever the sender typed: it teaches nothing.
	_, err := h.bot.userRef(ctx, "T1", log, "@ann")
	assert.Error(t, err)
	assert.Empty(t, h.bot.names.namesOf(testTeam)("U123ABC"))
	assert.Equal(t, 3, h.slack.count("users.info"), "typed ids are checked with Slack")
}

// Slack failing to say who an id or email is refuses the command clearly.
func TestUserRefWhenSlackFails(t *testing.T) {
	h := newHarness(t)
	h.slack.failNext("users.lookupByEmail", 1, fault{slackError: "missing_scope"})
	_, err := h.bot.userRef(context.Background(), "T1", h.bot.log, "dana@example.com")
	assert.ErrorContains(t, err, "users:read.email")
	h.slack.failNext("users.info", 10, fault{status: http.StatusInternalServerError})
	_, err = h.bot.userRef(context.Background(), "T1", h.bot.log, "@U0123ABCDE")
	assert.ErrorContains(t, err, "Slack did not say who U0123ABCDE is in time; nothing was changed.")
}

func TestItemNumbers(t *testing.T) {
	got, err := itemNumbers([]string{"12", "#14,15"})
	require.NoError(t, err)
	assert.Equal(t, []int{12, 14, 15}, got)
	for _, bad := range [][]string{nil, {"x"}, {"0"}, {"-3"}, {"1.5"}} {
		_, err := itemNumbers(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestCodeChunksNeverLoseACharacter(t *testing.T) {
	long := strings.Repeat("é<&>", 2000) // one line far over the limit
	data := "{\n  \"name\": \"a ``` fence\",\n" + long + "\n" + strings.Repeat("line & more\n", 700)
	chunks := codeChunks(data, exportBlockChars)
	require.Greater(t, len(chunks), 3)
	var joined strings.Builder
	for _, c := range chunks {
		assert.LessOrEqual(t, utf8.RuneCountInString("```"+c+"```"), exportBlockChars)
		assert.NotContains(t, c, "```")
		assert.NotContains(t, c, "<")
		joined.WriteString(c)
	}
	back := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "\u200b", "").Replace(joined.String())
	assert.Equal(t, data, back)

	posts := exportPosts("Checkout <!here>", "json", data)
	for i, p := range posts {
		assert.LessOrEqual(t, len(p.Blocks), exportBlocksPerPost+1)
		assert.Contains(t, p.Text, "part ")
		assert.NotContains(t, p.Text, "<!here>", "post %d", i)
	}
	assert.Len(t, codeChunks("", 100), 1, "an empty export is still one block")
}

// FuzzCommandText runs any text through the command parser and the
// dispatcher's pure parts: never a panic, and an error is a user message.
func FuzzCommandText(f *testing.F) {
	for _, s := range []string{`new "Checkout v2" 2026-12-01 template web`, `owner "Sec" <@U1|x>`, `tick 1,2 #3`, `“`, `<@`, `&lt;!here&gt;`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		args, err := splitArgs(text)
		if err != nil {
			assert.NotEmpty(t, userMessage(err))
			return
		}
		for _, a := range args {
			_ = escapedUser.MatchString(a) || rawUserID.MatchString(a) || email.MatchString(a)
			_, _ = itemRef(a)
		}
		_, _ = itemNumbers(args)
		if len(args) > 0 {
			_, _ = suggest.Closest(args[0], []string{"tick", "status"})
		}
	})
}
