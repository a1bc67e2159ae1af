package golive_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/golive/golive/bot"
)

// manifest is the part of Slack's app manifest golive uses. Decoding with
// KnownFields makes a misspelt key fail the test instead of being ignored.
type manifest struct {
	DisplayInformation struct {
		Name            string `yaml:"name"`
		Description     string `yaml:"description"`
		BackgroundColor string `yaml:"background_color"`
	} `yaml:"display_information"`
	Features struct {
		AppHome struct {
			HomeTabEnabled             bool `yaml:"home_tab_enabled"`
			MessagesTabEnabled         bool `yaml:"messages_tab_enabled"`
			MessagesTabReadOnlyEnabled bool `yaml:"messages_tab_read_only_enabled"`
		} `yaml:"app_home"`
		BotUser struct {
			DisplayName  string `yaml:"display_name"`
			AlwaysOnline bool   `yaml:"always_online"`
		} `yaml:"bot_user"`
		SlashCommands []struct {
			Command      string `yaml:"command"`
			Description  string `yaml:"description"`
			UsageHint    string `yaml:"usage_hint"`
			ShouldEscape *bool  `yaml:"should_escape"`
			URL          string `yaml:"url"`
		} `yaml:"slash_commands"`
		Shortcuts []struct {
			Name        string `yaml:"name"`
			Type        string `yaml:"type"`
			CallbackID  string `yaml:"callback_id"`
			Description string `yaml:"description"`
		} `yaml:"shortcuts"`
	} `yaml:"features"`
	OAuthConfig struct {
		RedirectURLs []string `yaml:"redirect_urls"`
		Scopes       struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  *bool  `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		OrgDeployEnabled     bool `yaml:"org_deploy_enabled"`
		SocketModeEnabled    bool `yaml:"socket_mode_enabled"`
		TokenRotationEnabled bool `yaml:"token_rotation_enabled"`
	} `yaml:"settings"`
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	raw, err := os.ReadFile("manifest.yml")
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var m manifest
	require.NoError(t, dec.Decode(&m), "manifest.yml must parse, with only the keys golive uses")
	return m
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// TestManifest checks manifest.yml against the limits of Slack's manifest
// schema (slackapi/manifest-schema, manifest.schema.1.0.0.json) and what
// golive needs from the app.
func TestManifest(t *testing.T) {
	m := readManifest(t)

	d := m.DisplayInformation
	assert.Equal(t, "golive", d.Name)
	assert.True(t, runes(d.Name) >= 1 && runes(d.Name) <= 35, "display name: 1 to 35 characters")
	assert.NotEmpty(t, d.Description)
	assert.LessOrEqual(t, runes(d.Description), 140, "description: at most 140 characters")

	assert.NotEmpty(t, m.Features.BotUser.DisplayName, "golive needs a bot user")
	assert.LessOrEqual(t, runes(m.Features.BotUser.DisplayName), 80)
	assert.True(t, m.Features.AppHome.HomeTabEnabled, "the Home tab shows launches and approvals")
	assert.True(t, m.Features.AppHome.MessagesTabEnabled, "approval requests and nudges arrive as DMs, in the Messages tab")
	assert.True(t, m.Features.AppHome.MessagesTabReadOnlyEnabled, "golive reads no DMs: users should not write there")

	require.Len(t, m.Features.SlashCommands, 1)
	c := m.Features.SlashCommands[0]
	assert.Equal(t, "/golive", c.Command)
	assert.True(t, strings.HasPrefix(c.Command, "/") && runes(c.Command) >= 2 && runes(c.Command) <= 32)
	assert.NotEmpty(t, c.Description)
	assert.LessOrEqual(t, runes(c.Description), 2000)
	assert.NotEmpty(t, c.UsageHint)
	assert.LessOrEqual(t, runes(c.UsageHint), 1000)
	require.NotNil(t, c.ShouldEscape)
	assert.True(t, *c.ShouldEscape, "mentions must arrive as <@U…> ids, which the bot parses")

	// The message shortcut: Slack sends its callback_id back, and the bot
	// routes by it.
	require.Len(t, m.Features.Shortcuts, 1)
	sc := m.Features.Shortcuts[0]
	assert.Equal(t, "message", sc.Type)
	assert.Equal(t, bot.ShortcutImport, sc.CallbackID, "the callback_id the bot handles")
	assert.True(t, runes(sc.Name) >= 1 && runes(sc.Name) <= 24, "shortcut name: 1 to 24 characters")
	assert.True(t, runes(sc.CallbackID) >= 1 && runes(sc.CallbackID) <= 255)
	assert.True(t, runes(sc.Description) >= 1 && runes(sc.Description) <= 150, "shortcut description: 1 to 150 characters")

	s := m.Settings
	require.NotNil(t, s.Interactivity.IsEnabled, "interactivity.is_enabled is required by the schema")
	assert.True(t, *s.Interactivity.IsEnabled, "checkboxes, buttons and modals need interactivity")
	assert.Contains(t, s.EventSubscriptions.BotEvents, "app_home_opened")
	assert.Contains(t, s.EventSubscriptions.BotEvents, "app_uninstalled", "a distributed golive forgets a workspace that removed it")
	assert.Contains(t, s.EventSubscriptions.BotEvents, "tokens_revoked", "a distributed golive forgets a workspace that revoked its token")
	for _, u := range m.OAuthConfig.RedirectURLs {
		assert.True(t, strings.HasPrefix(u, "https://") && strings.HasSuffix(u, "/slack/oauth_redirect"), "redirect URL %s: https://YOUR-HOST/slack/oauth_redirect", u)
	}
	raw, err := os.ReadFile("manifest.yml")
	require.NoError(t, err)
	assert.Contains(t, string(raw), "/slack/oauth_redirect", "the manifest says where a distributed golive's redirect URL goes")
	assert.True(t, s.SocketModeEnabled, "Socket Mode is the default: no public URL needed")
	assert.False(t, s.OrgDeployEnabled)
	assert.False(t, s.TokenRotationEnabled, "the default is one workspace, whose SLACK_BOT_TOKEN cannot be refreshed")
	// With Socket Mode on, Slack ignores request URLs: keep them out so the
	// manifest says what actually happens.
	assert.Empty(t, c.URL)
	assert.Empty(t, s.Interactivity.RequestURL)
	assert.Empty(t, s.EventSubscriptions.RequestURL)
}

// scopesByMethod maps each slack.Client method golive might call to the bot
// scopes that allow it (any one of them is enough); an empty list means the
// method needs no scope. A method missing here fails TestManifestScopes.
var scopesByMethod = map[string][]string{
	"AuthTest":               {},
	"PostMessage":            {"chat:write"},
	"SendMessage":            {"chat:write"},
	"UpdateMessage":          {"chat:write"},
	"PostEphemeral":          {"chat:write"},
	"DeleteMessage":          {"chat:write"},
	"ScheduleMessage":        {"chat:write"},
	"GetPermalink":           {},
	"OpenConversation":       {"im:write"},
	"OpenView":               {},
	"UpdateView":             {},
	"PushView":               {},
	"PublishView":            {},
	"GetUserInfo":            {"users:read"},
	"GetUsersInfo":           {"users:read"},
	"GetUsers":               {"users:read"},
	"GetUserByEmail":         {"users:read.email"},
	"GetConversationInfo":    {"channels:read", "groups:read"},
	"GetUsersInConversation": {"channels:read", "groups:read"},
	"GetConversationHistory": {"channels:history", "groups:history", "im:history"},
	"JoinConversation":       {"channels:join"},
	"AddReaction":            {"reactions:write"},
	"UploadFile":             {"files:write"},
	"GetFile":                {"files:read"},
	"GetFileInfo":            {"files:read"},
	"GetUploadURLExternal":   {"files:write"},
	"CompleteUploadExternal": {"files:write"},
	// apps.connections.open uses the app-level token (connections:write), not a bot scope.
	"StartSocketMode": {},
}

// optIn are Web API methods golive calls only behind a setting that is off
// by default, with every scope an administrator adds to the app before
// turning it on: manifest.yml leaves them out (least privilege), and the
// Slack app setup page (docs/slack.md) must name the setting and the scopes.
var optIn = map[string]struct {
	setting string
	scopes  []string
}{
	"GetConversationHistory": {"GOLIVE_SLACK_HISTORY", []string{"channels:history", "groups:history", "im:history"}},
}

// notWebAPI are slack.Client methods that call no Web API method.
var notWebAPI = map[string]bool{"Debug": true, "Debugf": true, "Debugln": true}

// alwaysNeeded are scopes the manifest needs whatever the code calls.
var alwaysNeeded = map[string]string{"commands": "the /golive slash command"}

// TestManifestScopes checks that every Slack Web API method the code calls
// has a scope in the manifest, and that the manifest asks for no scope the
// code does not use.
func TestManifestScopes(t *testing.T) {
	m := readManifest(t)
	granted := map[string]bool{}
	for _, s := range m.OAuthConfig.Scopes.Bot {
		assert.False(t, granted[s], "scope %s is listed twice", s)
		granted[s] = true
	}

	calls := slackCalls(t)
	used := map[string]bool{}
	for method, where := range calls {
		scopes, known := scopesByMethod[strings.TrimSuffix(method, "Context")]
		if !assert.True(t, known, "%s (called at %s) is not in scopesByMethod: add it with the bot scope Slack's docs give for its Web API method, then add that scope to manifest.yml", method, where) {
			continue
		}
		if len(scopes) == 0 {
			continue
		}
		if i := slices.IndexFunc(scopes, func(s string) bool { return granted[s] }); i >= 0 {
			used[scopes[i]] = true
			continue
		}
		if opt, ok := optIn[strings.TrimSuffix(method, "Context")]; ok {
			setup, err := os.ReadFile(filepath.Join("docs", "slack.md"))
			require.NoError(t, err)
			for _, want := range append([]string{opt.setting}, opt.scopes...) {
				assert.Contains(t, string(setup), "`"+want+"`", "%s (called at %s) is behind %s: docs/slack.md must name it and its scopes", method, where, opt.setting)
			}
			continue
		}
		assert.Fail(t, "missing scope", "%s (called at %s) needs one of %v: add it to oauth_config.scopes.bot in manifest.yml", method, where, scopes)
	}
	for s := range granted {
		if _, ok := alwaysNeeded[s]; ok {
			continue
		}
		assert.True(t, used[s], "manifest.yml asks for %s but no Slack call in the code needs it: remove it (least privilege)", s)
	}
	for s, why := range alwaysNeeded {
		assert.True(t, granted[s], "manifest.yml must ask for %s, for %s", s, why)
	}
}

// slackCalls returns the slack.Client methods called anywhere in the
// module's non-test Go code, each with one place it is called.
func slackCalls(t *testing.T) map[string]string {
	t.Helper()
	methods := map[string]bool{}
	ct := reflect.TypeOf(&slack.Client{})
	for i := range ct.NumMethod() {
		if name := ct.Method(i).Name; !notWebAPI[name] {
			methods[name] = true
		}
	}

	calls := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if name := e.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && methods[sel.Sel.Name] {
				if _, seen := calls[sel.Sel.Name]; !seen {
					calls[sel.Sel.Name] = fset.Position(call.Pos()).String()
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	return calls
}

// TestScopeTableNamesRealMethods keeps scopesByMethod honest: every entry is
// a method of slack.Client, in its plain or its Context form.
func TestScopeTableNamesRealMethods(t *testing.T) {
	ct := reflect.TypeOf(&slack.Client{})
	var missing []string
	for name := range scopesByMethod {
		_, plain := ct.MethodByName(name)
		_, withContext := ct.MethodByName(name + "Context")
		if !plain && !withContext {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "not methods of *slack.Client")
}
