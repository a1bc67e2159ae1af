package bot

import (
	"encoding/json"
	"net/http"
	"runtime/debug"
)

// msgCrashed is what a user sees when golive itself failed; the detail
// (with its stack) goes to the log only.
const msgCrashed = "Something went wrong on our side. Please try again; if it keeps happening, tell whoever runs golive."

// survive logs a panic of the current goroutine instead of letting it end
// the process: one bad request must not take every launch down. Use it as
// `defer b.survive("what")` at the top of every goroutine the bot starts.
func (b *Bot) survive(what string) {
	if p := recover(); p != nil {
		b.log.Error("recovered from a panic", "in", what, "panic", p, "stack", string(debug.Stack()))
	}
}

// recovering answers a request whose handler panicked with a plain
// ephemeral apology (Slack shows the body of a 200 to the user) instead of
// a dropped connection.
func (b *Bot) recovering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("recovered from a panic", "in", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": msgCrashed})
			}
		}()
		next.ServeHTTP(w, r)
	})
}
