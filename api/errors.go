package api

import (
	"encoding/json"
	"net/http"

	"github.com/golive/golive/internal/launch"
)

// Error codes of the API's answers, one per kind of failure, stable for
// scripts to test.
const (
	codeInvalid      = "invalid"      // 400: the request is malformed
	codeUnauthorized = "unauthorized" // 401: no token, or not a live one
	codeForbidden    = "forbidden"    // 403: the token is another launch's
	codeNotFound     = "not_found"    // 404: no such launch, item or endpoint
	codeMethod       = "method_not_allowed"
	codeConflict     = "conflict"     // 409: the launch is archived
	codeTooLarge     = "too_large"    // 413: the body is over the cap
	codeRateLimited  = "rate_limited" // 429: too many calls with the token
	codeInternal     = "internal"     // 500: our fault
	codeUnavailable  = "unavailable"  // 503: not confirmed in time
)

// errorBody is every error's JSON: {"error": {"code": "...", "message": "..."}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers status with code and message as JSON.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: message}})
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// domainError answers a domain error with its HTTP meaning: the user's
// message for a coded error, a generic one for ours.
func domainError(w http.ResponseWriter, err error) {
	status, code := http.StatusInternalServerError, codeInternal
	switch launch.ErrorCode(err) {
	case launch.EINVALID:
		status, code = http.StatusBadRequest, codeInvalid
	case launch.ENOTFOUND:
		status, code = http.StatusNotFound, codeNotFound
	case launch.ECONFLICT:
		status, code = http.StatusConflict, codeConflict
	case launch.EFORBIDDEN:
		status, code = http.StatusForbidden, codeForbidden
	}
	writeError(w, status, code, launch.ErrorMessage(err))
}
