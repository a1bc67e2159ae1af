package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	httpapi "github.com/golive/golive/api"
	"github.com/golive/golive/bot"
	"github.com/golive/golive/bot/install"
	"github.com/golive/golive/bot/slackhttp"
	"github.com/golive/golive/bot/slacksocket"
	"github.com/golive/golive/internal/delivery"
	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/ops"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/probe"
	"github.com/golive/golive/store"
)

// Slack client settings.
const (
	// slackCallTimeout bounds one Web API HTTP request; retries get their own.
	slackCallTimeout = 30 * time.Second
	// authCheckEvery is how often /readyz may call auth.test (Tier 4, about
	// 100 a minute): probes in between get the last answer.
	authCheckEvery = time.Minute
	// cronStopTimeout bounds the wait for an hourly sync running at shutdown.
	cronStopTimeout = 10 * time.Second
)

// One delivery both sends the bot's outbox and plans its reminders.
var _ bot.Delivery = (*delivery.Delivery)(nil)

// slackDeps is what startSlack wires the bot to.
type slackDeps struct {
	cfg     Config
	store   *store.Store
	metrics *metrics.Metrics
	mux     *http.ServeMux
	health  *ops.Health
	log     *slog.Logger
	// now and after are the clock of the bot, the outbox sender and the
	// reminder runner; nil for the configured one (the console brings its
	// own).
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
	// console says Slack is the local console, which needs no request URLs.
	console bool
}

// clock is the bot's clock: the console's, or the configured one.
func (d slackDeps) clock() func() time.Time {
	if d.now != nil {
		return d.now
	}
	return d.cfg.now()
}

// loopTimings are the configured timings of a loop, on the console's clock
// when it runs.
func (d slackDeps) loopTimings(maxWait time.Duration) loopTimings {
	t := d.cfg.loopTimings(maxWait)
	if d.now != nil {
		t.now, t.after = d.now, d.after
	}
	return t
}

// startSlack connects golive to Slack: it checks the bot token with
// auth.test, adds Slack to readiness, starts delivery (due reminders and
// the outbox) and serves Slack's requests over HTTP (POST
// /slack/commands, /slack/interactions, /slack/events on the mux) or over
// Socket Mode, and the API for pipelines (/api/v1/ on the mux). stop ends
// Socket Mode and delivery and waits
// for the bot's work in flight;
// call it after the HTTP server has stopped taking requests.
func startSlack(ctx context.Context, d slackDeps) (stop func(), err error) {
	limits := bot.NewRateLimits(d.metrics, d.log)
	api := newSlackClient(d.cfg, "", d.cfg.BotToken.Reveal(), d.clock(), d.metrics, limits, d.log)
	var workspaces *install.Workspaces
	if d.cfg.Distributed() {
		var err error
		if workspaces, err = newWorkspaces(d, limits); err != nil {
			return nil, err
		}
	} else {
		if err := authTest(ctx, api, d.log); err != nil {
			return nil, err
		}
		d.health.Add(ops.Check{Name: "slack", Run: ops.Cached(authCheckEvery, time.Now, func(ctx context.Context) error {
			if _, err := api.AuthTestContext(ctx); err != nil {
				return fmt.Errorf("auth.test: %w", err)
			}
			return nil
		})})
	}

	probes, err := newProbes(d)
	if err != nil {
		return nil, err
	}
	cfg := bot.Config{
		Probes:   probes,
		Store:    d.store,
		Slack:    api,
		Limits:   limits,
		Timezone: d.cfg.Timezone,
		Logger:   d.log,
		Metrics:  d.metrics,
		Now:      d.clock(),
		// PostgreSQL takes writers side by side; SQLite one at a time.
		ParallelWrites: d.store.Writers(),
	}
	if workspaces != nil {
		cfg.Slack, cfg.Workspaces = nil, workspaces
		// The install pages are served whichever way Slack connects: an
		// admin's browser comes back to /slack/oauth_redirect.
		d.mux.Handle("GET "+install.InstallPath, workspaces.Handler())
		d.mux.Handle("GET "+install.RedirectPath, workspaces.Handler())
		d.log.Info("distributed with OAuth: install golive in a workspace at https://YOUR-HOST" + install.InstallPath +
			"; the app's redirect URL is https://YOUR-HOST" + install.RedirectPath)
	}
	b, err := bot.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("start the bot: %w", err)
	}
	pipelines, err := httpapi.New(httpapi.Config{Tokens: d.store, Launches: d.store, Recorder: b, Now: d.clock(), Logger: d.log, Metrics: d.metrics})
	if err != nil {
		return nil, fmt.Errorf("start the API: %w", err)
	}
	// Pipelines report through the bot, so that their changes reach the
	// channel as ticks do: the API is served whichever way Slack connects.
	d.mux.Handle(httpapi.Prefix, pipelines.Handler())
	stopDelivery, err := startDelivery(ctx, d, b)
	if err != nil {
		return nil, err
	}

	if d.cfg.Mode() == ModeHTTP {
		d.mux.Handle("/slack/", slackhttp.Handler(b, d.cfg.SigningSecret.Reveal()))
		if !d.console {
			d.log.Info("HTTP mode: point the Slack app's request URLs at https://YOUR-HOST/slack/commands, /slack/interactions and /slack/events")
		}
		return func() {
			stopDelivery()
			b.Close()
		}, nil
	}

	socketCtx, cancel := context.WithCancel(ctx)
	socket := &socketState{}
	d.health.Add(ops.Check{Name: "socket_mode", Run: func(context.Context) error { return socket.failure() }})
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.log.Info("Socket Mode: connecting to Slack with SLACK_APP_TOKEN")
		if err := slacksocket.Run(socketCtx, api, d.cfg.AppToken.Reveal(), b, d.log); err != nil {
			socket.fail(err)
			d.log.Error("Socket Mode stopped for good: check SLACK_APP_TOKEN (an App-Level Token with connections:write) and that Socket Mode is on in the app's settings", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
		stopDelivery()
		b.Close()
	}, nil
}

// deliveryMaxWait is the longest delivery sleeps between looks at the
// reminders and the outbox: posts the bot enqueues wake it at once, those
// `golive import` leaves from the shell are found within this.
var deliveryMaxWait = 10 * time.Second

// startDelivery starts what posts for golive, through the bot: the loop
// over due reminders and the outbox, and the hourly cron that plans every
// launch's reminders again. stop ends both and waits for the work in
// flight, before the store closes.
func startDelivery(ctx context.Context, d slackDeps, b *bot.Bot) (stop func(), err error) {
	tod, err := schedule.ParseTimeOfDay(d.cfg.ReminderTime.String())
	if err != nil {
		return nil, fmt.Errorf("GOLIVE_REMINDER_TIME: %w", err)
	}
	t := d.loopTimings(deliveryMaxWait)
	dl, err := delivery.New(delivery.Config{
		Store:       d.store,
		Renderer:    b.ReminderRenderer(tod),
		Transport:   b.OutboxTransport(),
		Lookup:      d.cfg.SlackHistory,
		At:          tod.String(),
		Now:         t.now,
		After:       t.after,
		RenewAfter:  t.after,
		Lease:       t.lease,
		CallTimeout: t.callTimeout,
		MaxWait:     t.maxWait,
		Logger:      d.log,
		Metrics:     d.metrics,
		Prober:      prober(b),
	})
	if err != nil {
		return nil, fmt.Errorf("start delivery: %w", err)
	}
	b.SetDelivery(dl)
	runCtx, cancel := context.WithCancel(ctx)
	hourly, err := dl.Cron(runCtx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("start delivery: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dl.Run(runCtx)
	}()
	hourly.Start()
	d.log.Info("delivery running", "reminder_time", tod.String())
	return func() {
		// Cancelling runCtx stops the loop and cuts an hourly sync short;
		// both are waited for, since the store closes after stop returns.
		cancel()
		<-done
		select {
		case <-hourly.Stop().Done():
		case <-time.After(cronStopTimeout):
			d.log.Warn("the hourly reminder sync did not stop within its bound; closing the database under it")
		}
		d.log.Info("delivery stopped")
	}, nil
}

// newSlackClient returns the Web API client of team ("" for the single
// workspace of SLACK_BOT_TOKEN): every call counted in the metrics and
// paced by team's limits, 5xx and connection errors retried with
// backoff (except chat.postMessage and the like once the request left), slack-go's own log lines sent to slog. 429s are not retried
// here: slack-go would sleep out the Retry-After (120 s, say) inside the
// call, holding its goroutine and the work queued behind it. limits holds
// the method (and channel) instead, and the bot's queue tries again when
// Slack allows.
func newSlackClient(cfg Config, team, token string, now func() time.Time, m *metrics.Metrics, limits *bot.RateLimits, log *slog.Logger) *slack.Client {
	opts := []slack.Option{
		// The fence is innermost: the last check before a post leaves, on
		// delivery's clock.
		slack.OptionHTTPClient(&http.Client{Transport: limits.Transport(team, m.SlackTransport(bot.FenceTransport(slackTransport(), now))),
			Timeout: cfg.slackCallTimeout()}),
		slack.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelWarn)),
	}
	if cfg.SlackAPIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.SlackAPIURL))
	}
	// Connection errors and 5xx (Slack's own incidents answer 500 and 503)
	// are retried, but never for a call that may have posted: see
	// bot.SlackRetryConfig. The retry wrapper goes around the HTTP client,
	// so it must come after it.
	opts = append(opts, slack.OptionRetryConfig(bot.SlackRetryConfig(slack.DefaultRetryConfig())))
	return slack.New(token, opts...)
}

// newWorkspaces returns the workspaces golive is installed in with OAuth,
// each one's client wired as the single workspace's is.
func newWorkspaces(d slackDeps, limits *bot.RateLimits) (*install.Workspaces, error) {
	w, err := install.New(install.Config{
		ClientID:     d.cfg.ClientID,
		ClientSecret: d.cfg.ClientSecret.Reveal(),
		Keys:         d.cfg.Keys,
		Store:        d.store,
		NewClient: func(team, token string) *slack.Client {
			return newSlackClient(d.cfg, team, token, d.clock(), d.metrics, limits, d.log)
		},
		APIURL:     d.cfg.SlackAPIURL,
		Scopes:     botScopes,
		HTTPClient: &http.Client{Transport: slackTransport(), Timeout: d.cfg.slackCallTimeout()},
		Now:        d.clock(),
		Logger:     d.log,
	})
	if err != nil {
		return nil, fmt.Errorf("start the OAuth install: %w", err)
	}
	return w, nil
}

// botScopes are the bot scopes an OAuth install asks for: manifest.yml's
// (its test keeps them the same).
var botScopes = []string{"commands", "chat:write", "im:write", "users:read", "users:read.email", "files:write", "files:read"}

// slackIdleConns is how many idle connections to Slack are kept for reuse.
// Go's default of 2 per host makes every burst of concurrent Web API calls
// (a refresh of several live messages, approval DMs) open new TLS
// connections.
const slackIdleConns = 32

// slackTransport is Go's default transport with room to keep the
// connections that concurrent calls to Slack opened.
func slackTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, slackIdleConns)
	t.MaxIdleConnsPerHost = slackIdleConns
	return t
}

// authTest checks the bot token. Slack refusing it stops the start, since
// nothing would work; Slack being unreachable does not: readiness reports
// it until Slack answers.
func authTest(ctx context.Context, api *slack.Client, log *slog.Logger) error {
	auth, err := api.AuthTestContext(ctx)
	var refused slack.SlackErrorResponse
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("slack refused SLACK_BOT_TOKEN (auth.test: %s): copy the Bot User OAuth Token again from the app's OAuth & Permissions page, and reinstall the app if it was revoked", refused.Err)
	case err != nil:
		log.Warn("cannot reach Slack yet; /readyz fails until auth.test succeeds", "err", err)
	default:
		log.Info("connected to Slack", "team", auth.Team, "team_id", auth.TeamID, "bot_user_id", auth.UserID)
	}
	return nil
}

// socketState remembers why Socket Mode stopped, for readiness.
type socketState struct {
	mu  sync.Mutex
	err error
}

func (s *socketState) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *socketState) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return fmt.Errorf("socket mode stopped: %w", s.err)
	}
	return nil
}

// newProbes returns the runner of the items' probes, on the clock the bot
// runs on, reaching only what GOLIVE_PROBE_ALLOW allows; nil when it
// allows nothing: probes are off.
func newProbes(d slackDeps) (*probe.Runner, error) {
	if d.cfg.ProbeAllow.Empty() {
		d.log.Info("probes are off: GOLIVE_PROBE_ALLOW names no host they may reach")
		return nil, nil
	}
	r, err := probe.New(probe.Config{Allow: d.cfg.ProbeAllow, Now: d.clock()})
	if err != nil {
		return nil, fmt.Errorf("start the probes: %w", err)
	}
	return r, nil
}

// prober is the bot as delivery's runner of due probes, nil when probes
// are off (their due runs are then skipped).
func prober(b *bot.Bot) delivery.Prober {
	if !b.ProbesOn() {
		return nil
	}
	return b
}
