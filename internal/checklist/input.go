package checklist

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxSize is the largest checklist golive reads, in bytes. Real checklists
// are a few kilobytes; the cap keeps a stray upload from costing much.
const MaxSize = 10 << 20

// Errors Parse returns for a document it cannot use as a checklist. Their
// messages, and those of the errors wrapping them, are fit to show the user.
var (
	ErrEmpty    = errors.New("the checklist is empty")
	ErrTooLarge = errors.New("the checklist is too large")
	ErrBinary   = errors.New("the checklist is not text")
	ErrNoItems  = errors.New("the checklist has no items")
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decode turns the raw document into UTF-8 text with "\n" line endings. It
// accepts a byte-order mark, UTF-16 with a BOM, and stray Latin-1 bytes in
// otherwise UTF-8 text; it rejects empty, oversized and binary input.
func decode(src []byte) (string, error) {
	if len(src) > MaxSize {
		return "", TooLarge(int64(len(src)))
	}
	switch {
	case bytes.HasPrefix(src, bomUTF8):
		src = src[len(bomUTF8):]
	case bytes.HasPrefix(src, bomUTF16LE):
		src = fromUTF16(src[2:], false)
	case bytes.HasPrefix(src, bomUTF16BE):
		src = fromUTF16(src[2:], true)
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return "", ErrEmpty
	}
	if why := binaryReason(src); why != "" {
		return "", fmt.Errorf("%w: %s; save the checklist as Markdown text", ErrBinary, why)
	}
	text := string(src)
	if !utf8.ValidString(text) {
		text = latin1Repair(text)
	}
	if strings.IndexByte(text, '\r') >= 0 {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return text, nil
}

// isControl marks the bytes that do not occur in text.
var isControl = func() (t [256]bool) {
	for b := 0; b < 0x20; b++ {
		t[b] = true
	}
	for _, b := range []byte("\t\n\r\f\v") {
		t[b] = false
	}
	t[0x7F] = true
	return t
}()

// binaryReason tells why src does not look like text, "" when it does.
func binaryReason(src []byte) string {
	if bytes.IndexByte(src, 0) >= 0 {
		return "it holds NUL bytes"
	}
	controls := 0
	for _, b := range src {
		if isControl[b] {
			controls++
		}
	}
	invalid := 0
	if !utf8.Valid(src) {
		for i := 0; i < len(src); {
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size == 1 {
				invalid++
			}
			i += size
		}
	}
	switch {
	case controls*100 > len(src):
		return "it holds control characters"
	case invalid*10 > len(src)*3:
		return "it is neither UTF-8 nor UTF-16 text"
	}
	return ""
}

// latin1Repair reads every byte that is not valid UTF-8 as a Latin-1
// character, so that a file saved in a legacy encoding still imports.
func latin1Repair(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(rune(s[i]))
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func fromUTF16(src []byte, bigEndian bool) []byte {
	units := make([]uint16, len(src)/2)
	for i := range units {
		lo, hi := src[2*i], src[2*i+1]
		if bigEndian {
			lo, hi = hi, lo
		}
		units[i] = uint16(lo) | uint16(hi)<<8
	}
	var b bytes.Buffer
	for _, r := range utf16.Decode(units) {
		b.WriteRune(r)
	}
	return b.Bytes()
}

// TooLarge is the error for a document of size bytes, over MaxSize. Callers
// that learn the size before reading, such as from a file's length, use it
// so that the message tells the real size, not that of what was read.
func TooLarge(size int64) error {
	got, limit := megabytes(size), megabytes(MaxSize)
	if got == limit {
		// Just over the limit: in megabytes the two would read the same.
		got, limit = bytesText(size), bytesText(MaxSize)+" ("+limit+")"
	}
	return fmt.Errorf("%w: it is %s and golive reads checklists up to %s", ErrTooLarge, got, limit)
}

// TooLargeUnknownSize is the error for a stream found longer than MaxSize,
// whose full size is not known since reading stopped there.
func TooLargeUnknownSize() error {
	return fmt.Errorf("%w: it is over %s, the most golive reads", ErrTooLarge, megabytes(MaxSize))
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// bytesText writes n bytes with its thousands apart: "10 485 761 bytes".
func bytesText(n int64) string {
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(d)
	}
	return b.String() + " bytes"
}
