package launch

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Error codes, translated once at the edge into a user message.
const (
	EINVALID   = "invalid"   // the user asked for something malformed
	ENOTFOUND  = "not_found" // no such launch, item, section or role
	ECONFLICT  = "conflict"  // the request clashes with the current state
	EFORBIDDEN = "forbidden" // the user may not do this
	EINTERNAL  = "internal"  // our fault; the user sees a generic message
)

// Error is a domain error with a code and a message fit to show the user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
//
// The format is ours and may name people as Slack mentions (<@%s> around a
// stored user id); the arguments are data, often quoting what a user typed,
// so angle brackets in them become look-alikes (‹ ›): a section name such as
// "<!channel>" or "<@U123>" can then neither ping, nor link, nor mention
// anyone once the message reaches Slack.
func Errorf(code, format string, args ...any) *Error {
	quoted := make([]any, len(args))
	for i, a := range args {
		quoted[i] = inertArg{a}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, quoted...)}
}

// inertBrackets turns angle brackets into look-alikes.
var inertBrackets = strings.NewReplacer("<", "‹", ">", "›")

// maxEcho bounds what an error quotes of one argument: a message that
// echoes what someone typed must not grow with it.
const maxEcho = 1000

// inertArg formats its value as the verb asks, then makes the brackets in
// the result inert, drops the characters that reverse the text's direction
// and clips it to maxEcho characters.
type inertArg struct{ v any }

func (a inertArg) Format(f fmt.State, verb rune) {
	s := StripBidi(inertBrackets.Replace(fmt.Sprintf(fmt.FormatString(f, verb), a.v)))
	io.WriteString(f, clipRunes(s, maxEcho))
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text, their detail belongs in the log only.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Something went wrong on our side; nothing was changed. Please try again in a moment."
}
