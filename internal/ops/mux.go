package ops

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewMux returns a mux serving GET /healthz and /livez (200 while the process
// runs), /readyz (200 when every check passes, 503 otherwise and during
// shutdown, with each check's outcome as JSON) and /metrics (the gatherer, in Prometheus
// text format). The caller adds its own routes to it.
func NewMux(h *Health, g prometheus.Gatherer) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", live)
	mux.HandleFunc("GET /livez", live)
	mux.Handle("GET /readyz", h)
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return mux
}

func live(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

// readiness is /readyz's JSON body: whether every check passed, and each
// check's outcome by name ("database", "slack", ...), with its error.
type readiness struct {
	Ready  bool                   `json:"ready"`
	Checks map[string]checkAnswer `json:"checks"`
}

type checkAnswer struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// ServeHTTP answers /readyz with a JSON object, 200 when every check
// passed and 503 otherwise: {"ready":false,"checks":{"database":{"ok":true},
// "slack":{"ok":false,"error":"auth.test: invalid_auth"}}}.
func (h *Health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	results, ready := h.Ready(r.Context())
	body := readiness{Ready: ready, Checks: make(map[string]checkAnswer, len(results))}
	for _, c := range results {
		a := checkAnswer{OK: c.Err == nil}
		if c.Err != nil {
			a.Error = c.Err.Error()
		}
		body.Checks[c.Name] = a
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(body)
}
