package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestUserRef(t *testing.T) {
	b := &Bot{names: newDirectory()}
	b.names.learn("T1", "UDANA", "dana")
	cases := map[string]string{
		"<@U123ABC>":            "U123ABC",
		"<@U123ABC|ann>":        "U123ABC",
		"<@W123ABC|dana smith>": "W123ABC",
		"@U0123ABCDE":           "U0123ABCDE",
		"@dana":                 "UDANA",
		"@DANA":                 "UDANA",
	}
	for in, want := range cases {
		got, err := b.userRef("T1", in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"@ghost", "dana", "<#C123|general>", "<!here>", "@", ""} {
		_, err := b.userRef("T1", in)
		assert.Error(t, err, in)
	}
	_, err := b.userRef("T2", "@dana")
	assert.Error(t, err, "names are per team")

	// The name in a mention is Slack's: it names the person from then on.
	got, err := b.userRef("T1", "@ann")
	require.NoError(t, err)
	assert.Equal(t, "U123ABC", got)
	assert.Equal(t, "ann", b.names.namesOf("T1")("U123ABC"))
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

func TestClosest(t *testing.T) {
	names := []string{"checklist", "export", "status", "tick", "untick"}
	assert.Equal(t, "tick", closest("tikc", names))
	assert.Equal(t, "untick", closest("UNTICK", names))
	assert.Equal(t, "status", closest("stats", names))
	assert.Equal(t, 3, editDistance("kitten", "sitting"))
	assert.Equal(t, 0, editDistance("", ""))
	assert.Equal(t, 2, editDistance("é", "ab"))
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
	b := &Bot{names: newDirectory()}
	f.Fuzz(func(t *testing.T, text string) {
		args, err := splitArgs(text)
		if err != nil {
			assert.NotEmpty(t, userMessage(err))
			return
		}
		for _, a := range args {
			_, _ = b.userRef("T1", a)
			_, _ = itemRef(a)
		}
		_, _ = itemNumbers(args)
		if len(args) > 0 {
			_ = closest(args[0], []string{"tick", "status"})
		}
	})
}
