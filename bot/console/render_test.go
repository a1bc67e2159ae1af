package console

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMrkdwn(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"*bold* and _italic_ and ~gone~", "<b>bold</b> and <i>italic</i> and <s>gone</s>"},
		{"run `/golive tick 1 <2>`", "run <code>/golive tick 1 &lt;2&gt;</code>"},
		{"owner <@USAM>, <@UNKNOWN|who>", `owner <span class="mention">@Sam Okafor</span>, <span class="mention">@UNKNOWN</span>`},
		{"see <https://ci.example.com/run/1?a=1&amp;b=2|the run>", `see <a href="https://ci.example.com/run/1?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">the run</a>`},
		{"<javascript:alert(1)|click>", "&lt;javascript:alert(1)|click&gt;"},
		{"escaped &lt;script&gt;alert(1)&lt;/script&gt; &amp; more", "escaped &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"},
		{"raw <b>not bold</b>", "raw &lt;b&gt;not bold&lt;/b&gt;"},
		{"<!here> in <#C02API>", `<span class="mention">@here</span> in <span class="mention">#launch-api</span>`},
		{"line one\nline two :warning:", "line one<br>line two ⚠️"},
		{"a_snake_case_name and 2*3*4", "a_snake_case_name and 2*3*4"},
		{"```a *b* <@USAM>```", "<pre>a *b* &lt;@USAM&gt;</pre>"},
		{"smuggled \uE0000\uE001 placeholder", "smuggled 0 placeholder"},
	} {
		assert.Equal(t, c.want, string(renderMrkdwn(c.in)), "mrkdwn %q", c.in)
	}
}

// TestPagesEscapeEverything draws a message whose every text holds markup
// (as a checklist item `<script>` would reach the console from golive,
// escaped, and as raw text in plain_text fields, option values and urls)
// and checks that none of it is markup on the page.
func TestPagesEscapeEverything(t *testing.T) {
	tc := newTestConsole(t)
	evil := `<script>alert(1)</script>`
	escaped := `&lt;script&gt;alert(1)&lt;/script&gt;`
	opt := slack.NewOptionBlockObject(`"><script>alert(2)</script>`, slack.NewTextBlockObject("mrkdwn", "1. "+escaped, false, false),
		slack.NewTextBlockObject("plain_text", evil, false, false))
	section := slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Item "+escaped+" <javascript:alert(3)|x>", false, false),
		[]*slack.TextBlockObject{slack.NewTextBlockObject("plain_text", evil, false, false)},
		slack.NewAccessory(slack.NewButtonBlockElement("b", `"><img src=x onerror=alert(4)>`, slack.NewTextBlockObject("plain_text", evil, false, false))))
	link := slack.NewButtonBlockElement("open", "", slack.NewTextBlockObject("plain_text", "open", false, false))
	link.URL = "javascript:alert(5)"
	_, _, err := tc.api.PostMessage("C01WEB", slack.MsgOptionText(evil, false), slack.MsgOptionBlocks(
		slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", evil, false, false)),
		section,
		slack.NewActionBlock("a", slack.NewCheckboxGroupsBlockElement("tick", opt), link),
		slack.NewContextBlock("c", slack.NewTextBlockObject("mrkdwn", escaped, false, false)),
	))
	require.NoError(t, err)
	page := tc.page("/c/C01WEB", "UALEX")
	for _, bad := range []string{"<script>alert", "<img src=x", `href="javascript`, `"><script`} {
		assert.NotContains(t, page, bad)
	}
	assert.GreaterOrEqual(t, strings.Count(page, "&lt;script&gt;alert"), 5, "the markup is shown as text")
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1)
	assert.Equal(t, []string{`<script src="/console/assets/console.js" defer>`}, scripts, "the page's own script only")
}

// TestGoldenBlockKit draws Block Kit golive sends (copies of bot/render's
// goldens, in testdata/blockkit, so that a change of golive's messages
// does not change these) and compares the HTML with
// testdata/*.golden.html.
func TestGoldenBlockKit(t *testing.T) {
	for _, name := range []string{"Checklist", "Status", "ApprovalRequest_seed000", "Announcement_CONDITIONAL_GO", "ReminderWindow", "Help"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "blockkit", name+".json"))
			require.NoError(t, err)
			var msg struct {
				Text   string          `json:"text"`
				Blocks json.RawMessage `json:"blocks"`
			}
			require.NoError(t, json.Unmarshal(data, &msg))
			var buf strings.Builder
			mv := (&Console{}).drawMessage(Message{Channel: "C01WEB", TS: "1796258516.000100", User: BotID, Text: msg.Text, Blocks: msg.Blocks})
			require.NoError(t, pageTemplate.ExecuteTemplate(&buf, "blocks", mv.Frame))
			golden(t, name+".golden.html", buf.String())
		})
	}
	for _, name := range []string{"ConditionsModal", "ImportPreview", "Home"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "blockkit", name+".json"))
			require.NoError(t, err)
			vv, err := drawView(&View{ID: "V1", Doc: data}, true)
			require.NoError(t, err)
			var buf strings.Builder
			require.NoError(t, pageTemplate.ExecuteTemplate(&buf, "blocks", vv.Frame))
			golden(t, name+".golden.html", buf.String())
		})
	}
}

func TestPagesAnswerOnlyAtLocalhostOrAnIP(t *testing.T) {
	tc := newTestConsole(t)
	for host, want := range map[string]int{
		"localhost:8080":        http.StatusOK,
		"127.0.0.1:8080":        http.StatusOK,
		"[::1]:8080":            http.StatusOK,
		"golive.localhost":      http.StatusOK,
		"rebound.example.com":   http.StatusMisdirectedRequest,
		"evil.example.com:8080": http.StatusMisdirectedRequest,
	} {
		req, err := http.NewRequest(http.MethodGet, tc.srv.URL+"/c/C01WEB", nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, host)
	}
}
