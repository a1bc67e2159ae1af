package ops

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewMux returns a mux serving GET /healthz and /livez (200 while the process
// runs), /readyz (200 when every check passes, 503 with the failing checks
// otherwise and during shutdown) and /metrics (the gatherer, in Prometheus
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

// ServeHTTP answers /readyz: one line per check, "ok NAME" or "failed NAME: why".
func (h *Health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	results, ready := h.Ready(r.Context())
	var b strings.Builder
	for _, c := range results {
		if c.Err == nil {
			fmt.Fprintf(&b, "ok %s\n", c.Name)
		} else {
			fmt.Fprintf(&b, "failed %s: %v\n", c.Name, c.Err)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprint(w, b.String())
}
