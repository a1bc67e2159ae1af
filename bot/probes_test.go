package bot

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpapi "github.com/golive/golive/api"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/probe"
)

// tlsSite is a local HTTPS server for one host name, with a certificate
// authority made for the test and a certificate that can be swapped.
type tlsSite struct {
	t     testing.TB
	host  string
	srv   *httptest.Server
	pool  *x509.CertPool
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	leaf  atomic.Pointer[tls.Certificate]
}

func newTLSSite(t testing.TB, host string, notAfter time.Time) *tlsSite {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "golive test CA"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	s := &tlsSite{t: t, host: host, pool: x509.NewCertPool(), ca: ca, caKey: caKey}
	s.pool.AddCert(ca)
	s.reissue(notAfter)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	s.srv.TLS = &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return s.leaf.Load(), nil }}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	return s
}

// reissue gives the site a new certificate for its host, valid until notAfter.
func (s *tlsSite) reissue(notAfter time.Time) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(s.t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: s.host},
		DNSNames: []string{s.host}, NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.ca, &key.PublicKey, s.caKey)
	require.NoError(s.t, err)
	s.leaf.Store(&tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key})
}

// port is the port the site listens on.
func (s *tlsSite) port() string {
	_, port, _ := net.SplitHostPort(s.srv.Listener.Addr().String())
	return port
}

// localNames resolves every name to 127.0.0.1: the probes' tests reach
// local servers only.
type localNames struct{}

func (localNames) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}
func (localNames) LookupCNAME(_ context.Context, host string) (string, error) { return host, nil }
func (localNames) LookupTXT(context.Context, string) ([]string, error)        { return nil, nil }

// withProbes runs the bot's probes on clock, reaching the local servers
// (127.0.0.1) under any name, trusting pool (nil: the system's roots).
func withProbes(t testing.TB, clock func() time.Time, pool *x509.CertPool) harnessOption {
	allow, err := probe.ParseAllow("*.example.com,127.0.0.1")
	require.NoError(t, err)
	r, err := probe.New(probe.Config{Allow: allow, Now: clock, Resolver: localNames{}, RootCAs: pool, Timeout: 5 * time.Second})
	require.NoError(t, err)
	return func(c *Config) { c.Probes = r }
}

// switchable is a local HTTP server answering 200 "ok" or 503 as told.
func switchable(t *testing.T) (*httptest.Server, *atomic.Bool) {
	up := &atomic.Bool{}
	up.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, up
}

// probeNotices returns the posts in channel telling of item n's probe.
func (h *harness) probeNotices(channel string, n int) []string {
	var out []string
	for _, c := range h.slack.posted(channel) {
		if text := c.Form.Get("text"); strings.HasPrefix(text, fmt.Sprintf("The probe of item %d ", n)) {
			out = append(out, text)
		}
	}
	return out
}

// evidenceOf waits for item n's probe evidence to say pass, and returns the item.
func (h *harness) probedItem(n int, pass bool) *checklist.Item {
	h.t.Helper()
	var it *checklist.Item
	require.Eventually(h.t, func() bool {
		_, _, it = h.launch().Checklist.Locate(n)
		return it.Evidence != nil && it.Evidence.By == launch.ProbeActor && it.Evidence.Pass == pass && it.Done == pass
	}, settle, 5*time.Millisecond, "item %d's probe says pass=%v", n, pass)
	return it
}

func TestProbeCommandTicksAndTellsOncePerChange(t *testing.T) {
	ctx := context.Background()
	srv, up := switchable(t)
	h := newHarness(t, withProbes(t, func() time.Time { return testNow }, nil))
	l := h.newLaunch()
	require.Contains(t, h.command(creator, "owner 1 <@UOPS|ops>").Answer.Text, "")

	a := h.command(uOther, "probe 1 http "+srv.URL+"/health")
	assert.Contains(t, a.Answer.Text, "Only")
	a = h.command(creator, "probe 1 http https://intranet.corp/health")
	assert.Contains(t, a.Answer.Text, "Item 1's probe cannot run: intranet.corp is not in GOLIVE_PROBE_ALLOW.")
	a = h.command(creator, "probe 1 ping example.com")
	assert.Contains(t, a.Answer.Text, "is not a kind of probe")

	// Slack turns the address into a link; the probe reads it back.
	a = h.command(creator, "probe 1 http <http://status.example.com:"+srv.URL[strings.LastIndex(srv.URL, ":")+1:]+"/health> contains=“ok”")
	require.Contains(t, a.Answer.Text, "It runs now", a.Answer.Text)
	it := h.probedItem(1, true)
	assert.Equal(t, "HTTP 200 in 0 ms", it.Evidence.Summary)
	assert.Equal(t, `http http://status.example.com:`+srv.URL[strings.LastIndex(srv.URL, ":")+1:]+`/health contains=ok`, it.Probe.String())
	assert.Empty(t, h.probeNotices(testChan, 1), "a first pass ticks quietly")

	// It fails: unticked, and the channel and the item's owner are told, once.
	up.Store(false)
	run, err := h.bot.RunProbes(ctx, l.ID, "test")
	require.NoError(t, err)
	assert.Equal(t, []int{1}, run.Changed)
	h.probedItem(1, false)
	require.Eventually(t, func() bool { return len(h.probeNotices(testChan, 1)) == 1 && len(h.probeNotices(dmOf("UOPS"), 1)) == 1 },
		settle, 5*time.Millisecond, "the channel and the owner are told")
	assert.Equal(t, "The probe of item 1 (Dockerfile created with multi-stage build) fails: HTTP 503 in 0 ms, wanted 200. It is unticked until the probe passes again.",
		unJSON(h.probeNotices(testChan, 1)[0]))
	for range 3 {
		_, err = h.bot.RunProbes(ctx, l.ID, "test")
		require.NoError(t, err)
	}
	time.Sleep(100 * time.Millisecond) // the sender looks again
	assert.Len(t, h.probeNotices(testChan, 1), 1, "still failing: nothing more to tell")
	assert.Len(t, h.probeNotices(dmOf("UOPS"), 1), 1)

	up.Store(true)
	_, err = h.bot.RunProbes(ctx, l.ID, "test")
	require.NoError(t, err)
	h.probedItem(1, true)
	require.Eventually(t, func() bool { return len(h.probeNotices(testChan, 1)) == 2 }, settle, 5*time.Millisecond)
	assert.Contains(t, unJSON(h.probeNotices(testChan, 1)[1]), "passes again")

	a = h.command(uOther, "probe list")
	assert.Contains(t, a.Answer.Text, "*Probes of Checkout v2* (1)")
	assert.Contains(t, a.Answer.Text, "✓ HTTP 200 in 0 ms, just now")

	// The audit has every run and the changes they made.
	assert.Len(t, h.audited(l.ID, "probe"), 1)
	assert.Len(t, h.audited(l.ID, "probe-run"), 6, "set, failing four times, passing again")
	assert.Len(t, h.audited(l.ID, "evidence"), 3, "first pass, fail, pass again")

	a = h.command(creator, "probe 1 off")
	assert.Contains(t, a.Answer.Text, "Item 1 has no probe now")
	assert.Contains(t, h.command(creator, "probe list").Answer.Text, "No item of this launch has a probe")
}

func TestProbesOffSaySo(t *testing.T) {
	h := newHarness(t)
	h.newLaunch()
	a := h.command(creator, "probe 1 tls api.example.com min_days=30")
	assert.Contains(t, a.Answer.Text, "probes are off on this golive")
	assert.Contains(t, h.command(creator, "probe list").Answer.Text, "GOLIVE_PROBE_ALLOW is empty")
	_, _, it := h.launch().Checklist.Locate(1)
	assert.Equal(t, "tls api.example.com:443 min_days=30", it.Probe.String())
	assert.Nil(t, it.Evidence)
}

// TestLaunchDecidedOnProbes is a whole launch: a CI job reports three
// items through the API, a TLS probe declared in the Markdown checks the
// fourth every morning of the last week; the day before launch its
// certificate has too few days left, the item reopens, the channel and its
// owner hear it once, and `decide` (which runs the probes again) says
// NO-GO for that reason.
func TestLaunchDecidedOnProbes(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{at: testNow}
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	site := newTLSSite(t, "api.example.com", testNow.AddDate(0, 3, 0))
	fake := newFakeSlack(t)
	h := startHarnessAt(t, filepath.Join(t.TempDir(), "golive.db"), fake, clock.now,
		withProbes(t, clock.now, site.pool), func(c *Config) { c.Now = clock.now })

	src := fmt.Sprintf(`# Checkout v2

## 1. Security

- [ ] SSL certificates configured <!-- golive: tls api.example.com:%s min_days=30 -->
- [ ] Load testing completed
- [ ] Backups automated and tested
- [ ] Database migrations tested

## 2. Go/No-Go Criteria

**Required for GO (must be 100%%):**
- [ ] Security (Section 1)
`, site.port())
	list, rep, err := checklist.Parse([]byte(src))
	require.NoError(t, err)
	require.Empty(t, rep.Unresolved)
	require.NotNil(t, list.Items()[0].Probe)
	list.Items()[0].Owner = "UOPS"
	l := &launch.Launch{TeamID: testTeam, ChannelID: testChan, Name: "Checkout v2", Date: "2026-12-01",
		Timezone: "Europe/Paris", Creator: creator, Checklist: list}
	require.NoError(t, h.store.CreateLaunch(ctx, l, creator))

	// The CI job reports three items through the API, as `golive report` does.
	secret := h.createToken("ci")
	pipelines, err := httpapi.New(httpapi.Config{Tokens: h.store, Launches: h.store, Recorder: h.bot, Now: clock.now})
	require.NoError(t, err)
	apiSrv := httptest.NewServer(pipelines.Handler())
	defer apiSrv.Close()
	for n, summary := range map[int]string{2: "k6: p95 180 ms", 3: "restore drill passed", 4: "migrations applied on staging"} {
		body := fmt.Sprintf(`{"status": "pass", "summary": %q}`, summary)
		req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s%slaunches/%s/items/%d/evidence", apiSrv.URL, httpapi.Prefix, testChan, n), bytes.NewBufferString(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}

	// The last week's mornings: the probe passes, and ticks its item.
	dr := h.drive(clock.now)
	require.NoError(t, dr.d.Sync(ctx, l.ID))
	set := func(at time.Time) { clock.mu.Lock(); clock.at = at; clock.mu.Unlock() }
	dr.runTo(set, clock.now, time.Date(2026, 11, 29, 12, 0, 0, 0, paris))
	it := h.probedItem(1, true)
	assert.Equal(t, time.Date(2026, 11, 29, 8, 50, 0, 0, paris).UTC(), it.Evidence.At, "the run before the morning's reminder")
	assert.Empty(t, h.probeNotices(testChan, 1))
	assert.Equal(t, "GO", h.launch().Decide(clock.now()).OutcomeText())

	// Overnight the certificate is replaced by one expiring in ten days.
	site.reissue(time.Date(2026, 12, 10, 9, 0, 0, 0, paris))
	dr.runTo(set, clock.now, time.Date(2026, 11, 30, 9, 30, 0, 0, paris))
	it = h.probedItem(1, false)
	assert.Equal(t, "10d", it.Evidence.Value, "at 08:50, ten days and ten minutes before it expires")
	require.Eventually(t, func() bool { return len(h.probeNotices(testChan, 1)) == 1 && len(h.probeNotices(dmOf("UOPS"), 1)) == 1 },
		settle, 5*time.Millisecond)
	notice := unJSON(h.probeNotices(testChan, 1)[0])
	assert.Contains(t, notice, "The probe of item 1 (SSL certificates configured) fails: certificate valid, but expires in 10 days (2026-12-10), fewer than 30.")
	dm := h.slack.callsOf("conversations.open")
	require.NotEmpty(t, dm)
	assert.Equal(t, "UOPS", dm[len(dm)-1].Form.Get("users"))

	// decide runs the probes first, after the acknowledgement, then decides.
	a := h.command(uOther, "decide")
	assert.Contains(t, a.Answer.Text, "Running the launch's 1 probes first")
	post := h.waitPosts("NO-GO", 1)[0]
	text := allText(t, post)
	assert.Contains(t, text, "*Probes*: 0 items verified automatically at 09:30; 1 failing")
	assert.Contains(t, text, "✗ *1.* SSL certificates configured — certificate valid, but expires in 9 days (2026-12-10), fewer than 30 (just now)")
	assert.Contains(t, text, "Security")
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, h.probeNotices(testChan, 1), 1, "told once, though the probe ran again at decide")
}

func TestProbeSpecReadsWhatWasTyped(t *testing.T) {
	for text, want := range map[string]string{
		"probe 12 tls <http://api.example.com|api.example.com> min_days=30":                     "tls api.example.com min_days=30",
		"probe 12 http <https://api.example.com/healthz?a=1&amp;b=2> contains=“all good”":       `http https://api.example.com/healthz?a=1&b=2 contains="all good"`,
		"probe  #12   dns www.example.com type=CNAME":                                           "dns www.example.com type=CNAME",
		`probe 12 prometheus <http://prom:9090> "sum(rate(errors{code=~"5.."}[5m]))" &lt; 0.01`: `prometheus http://prom:9090 "sum(rate(errors{code=~"5.."}[5m]))" < 0.01`,
		"probe 12": "",
	} {
		assert.Equal(t, want, probeSpec(text), text)
	}
}
