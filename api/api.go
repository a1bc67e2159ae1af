// Package api is golive's HTTP API for pipelines, under /api/v1/: a CI job
// holding a launch's API token reports a check's result on an item (which
// ticks or unticks it, as a tick in Slack would) and reads the launch's
// state. It authenticates and rate-limits tokens, validates and bounds what
// it reads, and answers errors as JSON with a code; the change itself is
// the domain's, stored through the Recorder the wiring gives it.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// Tokens finds and stamps API tokens.
type Tokens interface {
	// TokenBySecret returns the live token with this secret, or ENOTFOUND.
	TokenBySecret(ctx context.Context, secret string) (launch.Token, error)
	// TouchToken records that the token was used at at.
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// Launches reads launches.
type Launches interface {
	// LaunchByID returns a launch, archived or not, or ENOTFOUND.
	LaunchByID(ctx context.Context, id int64) (*launch.Launch, error)
}

// Recorder stores a report on an item the way a tick in Slack is stored:
// the same change, transaction, notices and refresh of the channel's
// messages. The bot is one (bot.RecordEvidence). An error that wraps
// context.DeadlineExceeded means the change was not confirmed in time (it
// may be stored yet); other errors are coded (launch.Error) or ours.
type Recorder interface {
	RecordEvidence(ctx context.Context, t launch.Token, n int, r launch.Report) (*launch.Launch, error)
}

// Config is what New needs: Tokens, Launches and Recorder are required.
type Config struct {
	Tokens   Tokens
	Launches Launches
	Recorder Recorder
	// Now returns the current time; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Rate and Burst bound each token's calls: Rate a second on average,
	// Burst at once; default 10 and 20.
	Rate  float64
	Burst int
	// MaxBody caps a request's body, in bytes; default 64 KiB.
	MaxBody int64
	// Timeout bounds the work of one request; default 10 s.
	Timeout time.Duration
}

// Defaults of Config.
const (
	defaultRate    = 10
	defaultBurst   = 20
	defaultMaxBody = 64 << 10
	defaultTimeout = 10 * time.Second
	// Failed authentications share one bucket: guessing a token is hopeless,
	// but each guess costs a database read.
	failedRate  = 20
	failedBurst = 40
)

// API serves /api/v1/.
type API struct {
	cfg    Config
	tokens *buckets[int64]
	failed *buckets[string]
	mux    *http.ServeMux
}

// New checks cfg and returns the API.
func New(cfg Config) (*API, error) {
	if cfg.Tokens == nil || cfg.Launches == nil || cfg.Recorder == nil {
		return nil, errors.New("api: Tokens, Launches and Recorder are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Rate <= 0 {
		cfg.Rate = defaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = defaultBurst
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = defaultMaxBody
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	a := &API{
		cfg:    cfg,
		tokens: newBuckets[int64](cfg.Rate, cfg.Burst, cfg.Now),
		failed: newBuckets[string](failedRate, failedBurst, cfg.Now),
	}
	a.mux = http.NewServeMux()
	for _, r := range a.routes() {
		a.mux.Handle(r.Pattern, a.serve(r))
	}
	a.mux.HandleFunc(Prefix, func(w http.ResponseWriter, _ *http.Request) {
		a.cfg.Metrics.APIRequest("unknown", http.StatusNotFound)
		writeError(w, http.StatusNotFound, codeNotFound, "There is no such API endpoint: see api/openapi.yaml for the ones golive serves.")
	})
	return a, nil
}

// Prefix is where the API is mounted.
const Prefix = "/api/v1/"

// Handler serves the API; mount it at Prefix.
func (a *API) Handler() http.Handler { return a.mux }

// serve runs route r: the method, then the token, its rate, then the
// handler, and logs the outcome (never the token's secret).
func (a *API) serve(r route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w}
		tokenName := ""
		defer func() {
			a.cfg.Metrics.APIRequest(r.Name, rec.status)
			a.cfg.Logger.Info("api", "method", req.Method, "route", r.Pattern, "status", rec.status,
				"token", tokenName, "ms", time.Since(start).Milliseconds())
		}()
		if req.Method != r.Method {
			rec.Header().Set("Allow", r.Method)
			writeError(rec, http.StatusMethodNotAllowed, codeMethod, fmt.Sprintf("%s takes %s only.", r.Pattern, r.Method))
			return
		}
		ctx, cancel := context.WithTimeout(req.Context(), a.cfg.Timeout)
		defer cancel()
		t, ok := a.authenticate(ctx, rec, req)
		if !ok {
			return
		}
		tokenName = t.Name
		if wait, ok := a.tokens.take(t.ID); !ok {
			rec.Header().Set("Retry-After", retryAfter(wait))
			writeError(rec, http.StatusTooManyRequests, codeRateLimited,
				fmt.Sprintf("Too many calls with this token: at most %g a second, %d at once. Try again in %s.", a.cfg.Rate, a.cfg.Burst, retryAfter(wait)+" s"))
			return
		}
		if err := a.cfg.Tokens.TouchToken(ctx, t.ID, a.cfg.Now()); err != nil {
			a.cfg.Logger.Warn("record a token's use", "token", t.Name, "err", err)
		}
		r.handle(ctx, rec, req.WithContext(ctx), t)
	})
}

// statusWriter remembers the status written, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
