package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/golive/golive/bot/slackhttp"
	"github.com/golive/golive/bot/webapi"
	"github.com/golive/golive/internal/secretbox"
	"github.com/golive/golive/internal/workspace"
	"github.com/golive/golive/store"
)

const (
	testClientID     = "1111.2222"
	testClientSecret = "abcdefSECRETclient"
	// testKey is 32 bytes of base64; testKey2 another.
	testKey  = "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k="
	testKey2 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
)

func distributed(extra map[string]string) map[string]string {
	kv := map[string]string{"SLACK_CLIENT_ID": testClientID, "SLACK_CLIENT_SECRET": testClientSecret,
		"GOLIVE_ENCRYPTION_KEY": testKey, "SLACK_SIGNING_SECRET": testSigning}
	for k, v := range extra {
		if v == "" {
			delete(kv, k)
			continue
		}
		kv[k] = v
	}
	return kv
}

func TestLoadConfigDistributed(t *testing.T) {
	c, err := LoadConfig(env(distributed(nil)))
	require.NoError(t, err)
	assert.True(t, c.Distributed())
	assert.Equal(t, ModeHTTP, c.Mode(), "no SLACK_BOT_TOKEN, yet talking to Slack")
	assert.False(t, c.Console)
	require.NotNil(t, c.Keys)

	c, err = LoadConfig(env(distributed(map[string]string{"GOLIVE_ENCRYPTION_KEY": testKey2 + "," + testKey, "SLACK_APP_TOKEN": testAppToken, "SLACK_SIGNING_SECRET": ""})))
	require.NoError(t, err, "a rotation's two keys; Socket Mode")
	assert.Equal(t, ModeSocket, c.Mode())

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	for _, leak := range []string{testClientSecret, testKey, testKey2} {
		assert.NotContains(t, buf.String(), leak)
		assert.NotContains(t, fmt.Sprintf("%+v %#v", c, c), leak)
	}
	assert.Contains(t, buf.String(), `"golive_encryption_key":"REDACTED"`)
	assert.Contains(t, buf.String(), `"slack_client_id":"`+testClientID+`"`)
}

func TestLoadConfigRefusesHalfADistribution(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"no key": {distributed(map[string]string{"GOLIVE_ENCRYPTION_KEY": ""}),
			"GOLIVE_ENCRYPTION_KEY not set: distributing golive to many workspaces needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET (the app's Basic Information page) and GOLIVE_ENCRYPTION_KEY (make one with `openssl rand -base64 32`); unset them all for one workspace with SLACK_BOT_TOKEN"},
		"key alone": {map[string]string{"GOLIVE_ENCRYPTION_KEY": testKey},
			"SLACK_CLIENT_ID and SLACK_CLIENT_SECRET not set: distributing golive to many workspaces needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET (the app's Basic Information page) and GOLIVE_ENCRYPTION_KEY (make one with `openssl rand -base64 32`); unset them all for one workspace with SLACK_BOT_TOKEN"},
		"short key": {distributed(map[string]string{"GOLIVE_ENCRYPTION_KEY": "c2hvcnQ="}),
			"GOLIVE_ENCRYPTION_KEY: key 1 is 5 bytes, not 32: make one with `openssl rand -base64 32`"},
		"key not base64": {distributed(map[string]string{"GOLIVE_ENCRYPTION_KEY": testKey + ",not a key!"}),
			"GOLIVE_ENCRYPTION_KEY: key 2 is not base64: make one with `openssl rand -base64 32`"},
		"beside a bot token": {distributed(map[string]string{"SLACK_BOT_TOKEN": testBotToken}),
			"SLACK_BOT_TOKEN is set beside SLACK_CLIENT_ID: golive serves either one workspace with SLACK_BOT_TOKEN or many installed with OAuth, not both. Unset SLACK_BOT_TOKEN to distribute (install in the first workspace again at /slack/install: its launches are kept), or unset SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and GOLIVE_ENCRYPTION_KEY"},
		"no signing secret": {distributed(map[string]string{"SLACK_SIGNING_SECRET": ""}),
			"SLACK_SIGNING_SECRET is not set: golive distributed with OAuth serves Slack's requests over HTTP and needs it to verify them (Basic Information page); or set SLACK_APP_TOKEN for Socket Mode"},
	} {
		_, err := LoadConfig(env(tc.env))
		require.Error(t, err, name)
		assert.Equal(t, tc.want, err.Error(), name)
		assert.NotContains(t, err.Error(), testKey, name)
		assert.NotContains(t, err.Error(), testClientSecret, name)
	}
}

// The scopes an OAuth install asks for are manifest.yml's.
func TestBotScopesAreTheManifests(t *testing.T) {
	raw, err := os.ReadFile("../../manifest.yml")
	require.NoError(t, err)
	var m struct {
		OAuthConfig struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &m))
	want, got := slices.Clone(m.OAuthConfig.Scopes.Bot), slices.Clone(botScopes)
	slices.Sort(want)
	slices.Sort(got)
	assert.Equal(t, want, got)
}

// installVia walks an admin's browser through the install: the page's
// state, then Slack's redirect with code.
func installVia(t *testing.T, base, code string) string {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/slack/install")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	m := regexp.MustCompile(`state=([^"&]+)`).FindSubmatch(page)
	require.NotNil(t, m, string(page))
	state, err := url.QueryUnescape(string(m[1]))
	require.NoError(t, err)
	resp, err = c.Get(base + "/slack/oauth_redirect?" + url.Values{"code": {code}, "state": {state}}.Encode())
	require.NoError(t, err)
	done, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(done))
	return string(done)
}

// Two workspaces install golive; each one's commands are answered, and its
// launch's posts made, with its own token, in a channel of the same id;
// a workspace that did not install it is told so; one that uninstalls it
// is not served any more, and the other goes on.
func TestServeDistributed(t *testing.T) {
	fake := newFakeSlack(t)
	fake.api.SetApp(webapi.App{ClientID: testClientID, ClientSecret: testClientSecret})
	fake.api.AddCode("code-a", webapi.Install{Team: webapi.Team{ID: "TA", Name: "Alpha", BotUser: "UBOTA"}, Installer: "UADMIN", Scopes: strings.Join(botScopes, ",")})
	fake.api.AddCode("code-b", webapi.Install{Team: webapi.Team{ID: "TB", Name: "Beta", BotUser: "UBOTB"}, Installer: "UADMIN", Scopes: strings.Join(botScopes, ",")})
	db := filepath.Join(t.TempDir(), "golive.db")
	base, logs, stop := startServe(t, distributed(map[string]string{"SLACK_API_URL": fake.URL + "/api/", "GOLIVE_DB": db}))

	assert.Contains(t, installVia(t, base, "code-a"), "golive is installed in Alpha")
	assert.Contains(t, installVia(t, base, "code-b"), "golive is installed in Beta")

	command := func(team, text string) string {
		form := url.Values{"command": {"/golive"}, "text": {text}, "team_id": {team}, "channel_id": {"C1"}, "user_id": {"U1"},
			"response_url": {fake.URL + "/response/r-" + team}, "trigger_id": {"1.2.3"}}
		resp, err := http.DefaultClient.Do(signed(t, base+"/slack/commands", testSigning, form))
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		return string(body)
	}
	// Each team's checklist is posted with its own token, in channels of
	// the same id.
	for i, team := range []string{"TA", "TB"} {
		before := len(fake.api.Calls())
		command(team, `new "Launch of `+team+`" 2027-03-01`)
		command(team, "checklist")
		require.Eventually(t, func() bool { return fake.calls("chat.postMessage") > i }, 10*time.Second, 10*time.Millisecond, "logs:\n%s", logs)
		for _, c := range fake.api.Calls()[before:] {
			assert.Equal(t, team, c.Team, "%s made with %s's token", c.Method, team)
		}
		post := fake.api.CallsOf("chat.postMessage")[i]
		assert.Contains(t, post.Get("text")+post.Get("blocks"), "Launch of "+team)
	}

	assert.Contains(t, command("TC", "status"), "not installed in this workspace")

	// Slack says TA uninstalled golive.
	event := `{"token":"x","team_id":"TA","api_app_id":"A1","type":"event_callback","event_id":"Ev1","event_time":1,` +
		`"event":{"type":"app_uninstalled","event_ts":"1.1"}}`
	req := signedJSON(t, base+"/slack/events", testSigning, event)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "workspace uninstalled golive") }, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, command("TA", "status"), "not installed in this workspace")
	assert.NotContains(t, command("TB", "status"), "not installed", "the other team is served as before")
	require.Eventually(t, func() bool { return fake.calls("chat.postMessage") == 3 }, 10*time.Second, 10*time.Millisecond, "logs:\n%s", logs)
	assert.Equal(t, "TB", fake.api.CallsOf("chat.postMessage")[2].Team)

	require.NoError(t, stop())
	out := logs.String()
	for _, leak := range []string{"xoxb-TA", "xoxb-TB", testClientSecret, testKey} {
		assert.NotContains(t, out, leak, "never a token in the logs")
	}
}

// signedJSON returns an Events API request signed with secret.
func signedJSON(t *testing.T, u, secret, body string) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackhttp.Sign(secret, ts, []byte(body)))
	return req
}

// `golive rotate-key` seals every workspace's tokens again with the first
// key, after which the old key can go.
func TestRotateKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "golive.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	require.NoError(t, err)
	old, err := secretbox.ParseKeys(testKey)
	require.NoError(t, err)
	sealed, err := old.Seal([]byte(`{"bot":"xoxb-a"}`), []byte("TA"))
	require.NoError(t, err)
	require.NoError(t, st.SaveInstallation(ctx, workspace.Installation{TeamID: "TA", Sealed: sealed}))
	require.NoError(t, st.Close())

	rotate := func(keys string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run([]string{"rotate-key"}, nil, &stdout, &stderr, env(distributed(map[string]string{"GOLIVE_DB": db, "GOLIVE_ENCRYPTION_KEY": keys})))
		return code, stdout.String(), stderr.String()
	}
	code, out, errs := rotate(testKey2 + "," + testKey)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "sealed the tokens of 1 workspaces again with the first key; the other keys of GOLIVE_ENCRYPTION_KEY can be removed now\n", out)
	code, out, _ = rotate(testKey2 + "," + testKey)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "sealed the tokens of 0 workspaces")

	st, err = store.Open(ctx, db)
	require.NoError(t, err)
	defer st.Close()
	in, err := st.Installation(ctx, "TA")
	require.NoError(t, err)
	next, err := secretbox.ParseKeys(testKey2)
	require.NoError(t, err)
	plain, err := next.Open(in.Sealed, []byte("TA"))
	require.NoError(t, err, "the new key alone opens the tokens")
	assert.Equal(t, `{"bot":"xoxb-a"}`, string(plain))

	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run([]string{"rotate-key"}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_DB": db})))
	assert.Contains(t, stderr.String(), "golive is not distributed")
}
