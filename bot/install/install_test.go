package install

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/bot/webapi"
	"github.com/golive/golive/internal/secretbox"
	"github.com/golive/golive/internal/workspace"
	"github.com/golive/golive/store"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

type fixture struct {
	t      *testing.T
	slack  *webapi.Server
	api    *httptest.Server
	store  *store.Store
	path   string
	keys   *secretbox.Keyring
	clock  *clock
	ws     *Workspaces
	golive *httptest.Server
}

func keyText(t *testing.T) string {
	raw := make([]byte, secretbox.KeySize)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(raw)
}

func newKeys(t *testing.T) *secretbox.Keyring {
	k, err := secretbox.ParseKeys(keyText(t))
	require.NoError(t, err)
	return k
}

func newFixture(t *testing.T, app webapi.App) *fixture {
	f := &fixture{t: t, slack: webapi.New(webapi.Config{}), clock: &clock{at: t0}, keys: newKeys(t)}
	f.slack.SetApp(app)
	f.api = httptest.NewServer(f.slack)
	t.Cleanup(f.api.Close)
	f.path = filepath.Join(t.TempDir(), "golive.db")
	st, err := store.Open(context.Background(), f.path)
	require.NoError(t, err)
	st.Now = f.clock.now
	t.Cleanup(func() { st.Close() })
	f.store = st
	f.ws = f.replica()
	f.golive = httptest.NewServer(f.ws.Handler())
	t.Cleanup(f.golive.Close)
	return f
}

// replica is another golive process on the same database.
func (f *fixture) replica() *Workspaces {
	ws, err := New(Config{ClientID: "CID", ClientSecret: "CSECRET", Keys: f.keys, Store: f.store,
		NewClient: func(_, token string) *slack.Client {
			return slack.New(token, slack.OptionAPIURL(f.api.URL+"/api/"))
		},
		APIURL: f.api.URL + "/api/", AuthorizeURL: f.api.URL + "/oauth/v2/authorize",
		Scopes: []string{"commands", "chat:write"}, Now: f.clock.now})
	require.NoError(f.t, err)
	return ws
}

// browser is a browser with its cookies.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

var linkState = regexp.MustCompile(`href="[^"]*[?&amp;;]state=([^"&]+)`)

// start opens the install page and returns the state of its link.
func (f *fixture) start(c *http.Client) string {
	resp, body := get(f.t, c, f.golive.URL+InstallPath)
	require.Equal(f.t, http.StatusOK, resp.StatusCode)
	m := linkState.FindStringSubmatch(body)
	require.NotNil(f.t, m, body)
	state, err := url.QueryUnescape(m[1])
	require.NoError(f.t, err)
	return state
}

func (f *fixture) redirect(c *http.Client, q url.Values) (*http.Response, string) {
	return get(f.t, c, f.golive.URL+RedirectPath+"?"+q.Encode())
}

func TestInstallPageBindsTheStateToTheBrowser(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET"})
	req := httptest.NewRequest("GET", InstallPath, nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	rec := httptest.NewRecorder()
	f.ws.Handler().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	assert.Contains(t, body, "Add to Slack")
	assert.Contains(t, body, "client_id=CID")
	assert.Contains(t, body, "scope=commands%2Cchat%3Awrite")
	assert.NotContains(t, body, "<script")
	assert.NotContains(t, body, "CSECRET")
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'none'")
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure, "served over https (a proxy says so)")
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, 600, c.MaxAge)
	m := linkState.FindStringSubmatch(body)
	require.NotNil(t, m)
	assert.NotContains(t, c.Value, m[1], "the cookie holds the state's HMAC, not the state")

	plain := httptest.NewRecorder()
	f.ws.Handler().ServeHTTP(plain, httptest.NewRequest("GET", InstallPath, nil))
	assert.False(t, plain.Result().Cookies()[0].Secure, "plain http (local trials) cannot keep a Secure cookie")
}

func TestRedirectRefusesAStateNotBoundToTheBrowser(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET"})
	f.slack.AddCode("good", webapi.Install{Team: webapi.Team{ID: "TA", Name: "Alpha", BotUser: "UBOTA"}})
	alice, mallory := browser(t), browser(t)
	state := f.start(alice)
	f.start(mallory)

	for name, tc := range map[string]struct {
		c *http.Client
		q url.Values
	}{
		"no state":         {alice, url.Values{"code": {"good"}}},
		"another's state":  {mallory, url.Values{"code": {"good"}, "state": {state}}},
		"a tampered state": {alice, url.Values{"code": {"good"}, "state": {state + "x"}}},
		"no cookie at all": {browser(t), url.Values{"code": {"good"}, "state": {state}}},
	} {
		resp, body := f.redirect(tc.c, tc.q)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, name)
		assert.Contains(t, body, "expired or is not yours", name)
	}
	_, err := f.store.Installation(context.Background(), "TA")
	assert.Error(t, err, "nothing installed")
	assert.Empty(t, f.slack.CallsOf("oauth.v2.access"), "no code was spent")

	// Past its 10 minutes the state is refused even with its cookie.
	state = f.start(alice)
	f.clock.add(10*time.Minute + time.Second)
	resp, body := f.redirect(alice, url.Values{"code": {"good"}, "state": {state}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, "expired")
}

func TestRedirectSaysWhenTheAdminCancelled(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET"})
	c := browser(t)
	state := f.start(c)
	resp, body := f.redirect(c, url.Values{"error": {"access_denied"}, "state": {state}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "Install cancelled")
	assert.Contains(t, body, "Nothing was installed")
	assert.Empty(t, f.slack.CallsOf("oauth.v2.access"))

	state = f.start(c)
	_, body = f.redirect(c, url.Values{"error": {"<script>alert(1)</script>"}, "state": {state}})
	assert.NotContains(t, body, "<script>", "what Slack (or anyone) puts in the URL is escaped")
}

func TestInstallStoresTheTokenSealedAndCallsWithIt(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET"})
	f.slack.AddCode("good", webapi.Install{Team: webapi.Team{ID: "TA", Name: "Alpha <corp>", BotUser: "UBOTA"},
		EnterpriseID: "E1", Installer: "UADMIN", Scopes: "commands,chat:write"})
	c := browser(t)
	state := f.start(c)
	resp, body := f.redirect(c, url.Values{"code": {"good"}, "state": {state}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, "golive is installed in Alpha &lt;corp&gt;")
	assert.Contains(t, body, "https://app.slack.com/client/TA")

	ctx := context.Background()
	in, err := f.store.Installation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, "E1", in.EnterpriseID)
	assert.Equal(t, "UBOTA", in.BotUserID)
	assert.Equal(t, "UADMIN", in.Installer)
	assert.Equal(t, "commands,chat:write", in.Scopes)
	assert.False(t, in.Refreshable())
	assert.False(t, bytes.Contains(in.Sealed, []byte("xoxb-")), "the store holds ciphertext only")

	api, err := f.ws.Client(ctx, "TA")
	require.NoError(t, err)
	auth, err := api.AuthTestContext(ctx)
	require.NoError(t, err)
	assert.Equal(t, "TA", auth.TeamID)
	calls := f.slack.CallsOf("auth.test")
	require.Len(t, calls, 1)
	assert.Equal(t, "TA", calls[0].Team, "called with the team's own token")

	// A row moved to another team's key does not open there.
	_, err = f.store.Installation(ctx, "TB")
	require.Error(t, err)
	in.TeamID = "TB"
	require.NoError(t, f.store.SaveInstallation(ctx, in))
	_, err = f.ws.Client(ctx, "TB")
	assert.ErrorContains(t, err, "belongs to another row")

	// A code is spent once.
	state = f.start(c)
	resp, body = f.redirect(c, url.Values{"code": {"good"}, "state": {state}})
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, body, "Slack did not accept the install")
}

func TestOrganisationWideInstallsAreRefused(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET"})
	f.slack.AddCode("org", webapi.Install{Team: webapi.Team{ID: "E1"}, EnterpriseID: "E1", Enterprise: true})
	c := browser(t)
	state := f.start(c)
	resp, body := f.redirect(c, url.Values{"code": {"org"}, "state": {state}})
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, body, "one workspace at a time")
	all, err := f.store.Installations(context.Background())
	require.NoError(t, err)
	assert.Empty(t, all)
}

func TestUninstallForgetsTheTeam(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET"})
	f.slack.AddCode("a", webapi.Install{Team: webapi.Team{ID: "TA", BotUser: "UBOTA"}})
	f.slack.AddCode("b", webapi.Install{Team: webapi.Team{ID: "TB", BotUser: "UBOTB"}})
	c := browser(t)
	for _, code := range []string{"a", "b"} {
		state := f.start(c)
		resp, _ := f.redirect(c, url.Values{"code": {code}, "state": {state}})
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	ctx := context.Background()
	_, err := f.ws.Client(ctx, "TA")
	require.NoError(t, err)
	require.NoError(t, f.ws.Uninstall(ctx, "TA", "app_uninstalled"))
	_, err = f.ws.Client(ctx, "TA")
	assert.ErrorIs(t, err, workspace.ErrNotInstalled)
	_, err = f.ws.Client(ctx, "TB")
	assert.NoError(t, err, "the other team keeps its installation")
	_, err = f.ws.Client(ctx, "")
	assert.ErrorIs(t, err, workspace.ErrNotInstalled)
}

// With token rotation, the token is refreshed shortly before it expires,
// once, whichever replica finds it due first; the others use the new one.
func TestRotatingTokensAreRefreshedOnce(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET", Rotate: true, ExpiresIn: 3600})
	f.slack.AddCode("a", webapi.Install{Team: webapi.Team{ID: "TA", BotUser: "UBOTA"}})
	c := browser(t)
	state := f.start(c)
	resp, body := f.redirect(c, url.Values{"code": {"a"}, "state": {state}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	ctx := context.Background()
	in, err := f.store.Installation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Hour), in.ExpiresAt)

	_, err = f.ws.Client(ctx, "TA")
	require.NoError(t, err)
	assert.Len(t, f.slack.CallsOf("oauth.v2.access"), 1, "not due: no refresh")

	f.clock.add(50 * time.Minute)
	replicas := []*Workspaces{f.ws, f.replica(), f.replica()}
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			api, err := r.Client(ctx, "TA")
			assert.NoError(t, err)
			_, err = api.AuthTestContext(ctx)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	refreshes := 0
	for _, call := range f.slack.CallsOf("oauth.v2.access") {
		if call.Get("grant_type") == "refresh_token" {
			refreshes++
		}
	}
	assert.Equal(t, 1, refreshes, "the single-use refresh token is spent once")
	in, err = f.store.Installation(ctx, "TA")
	require.NoError(t, err)
	assert.Equal(t, t0.Add(50*time.Minute+time.Hour), in.ExpiresAt)

	// Every replica reads the new token once the old one is due.
	f.clock.add(2 * time.Minute)
	for _, r := range replicas {
		api, err := r.Client(ctx, "TA")
		require.NoError(t, err)
		_, err = api.AuthTestContext(ctx)
		require.NoError(t, err)
	}
	last := f.slack.CallsOf("auth.test")
	assert.Equal(t, "TA", last[len(last)-1].Team)
}

// A key rotation: the new key first, the old one after it, Reseal, then
// the old key dropped: the tokens open all along.
func TestResealAfterAKeyRotation(t *testing.T) {
	f := newFixture(t, webapi.App{ClientID: "CID", ClientSecret: "CSECRET"})
	oldKey, newKey := keyText(t), keyText(t)
	var err error
	f.keys, err = secretbox.ParseKeys(oldKey)
	require.NoError(t, err)
	f.ws = f.replica()
	f.golive.Config.Handler = f.ws.Handler()
	f.slack.AddCode("a", webapi.Install{Team: webapi.Team{ID: "TA", BotUser: "UBOTA"}})
	c := browser(t)
	state := f.start(c)
	resp, _ := f.redirect(c, url.Values{"code": {"a"}, "state": {state}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	ctx := context.Background()

	f.keys, err = secretbox.ParseKeys(newKey + "," + oldKey)
	require.NoError(t, err)
	during := f.replica()
	_, err = during.Client(ctx, "TA")
	require.NoError(t, err, "the old key still opens")
	n, err := during.Reseal(ctx, f.store)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = during.Reseal(ctx, f.store)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nothing left to reseal")

	f.keys, err = secretbox.ParseKeys(newKey)
	require.NoError(t, err)
	_, err = f.replica().Client(ctx, "TA")
	require.NoError(t, err, "the new key alone opens")

	f.keys, err = secretbox.ParseKeys(keyText(t))
	require.NoError(t, err)
	_, err = f.replica().Client(ctx, "TA")
	assert.ErrorContains(t, err, "rotate-key", "a missing key says what to do")
}
