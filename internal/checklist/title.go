package checklist

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanTitle turns a heading as written into a title and the document's own
// number: "2. Security 🔒" gives ("Security", 2). It strips surrounding
// emphasis, a leading "2." or "2)" number, a trailing colon, and leading or
// trailing emoji, including emoji whose UTF-8 bytes were garbled by a wrong
// encoding into runs such as "üîí" or "âœ…" (see junkToken).
func cleanTitle(s string) (string, int) {
	orig := strings.TrimSpace(s)
	t := trimJunk(unemphasize(orig))
	number := 0
	if n, rest, ok := leadingNumber(t); ok {
		number, t = n, trimJunk(rest)
	}
	t = strings.TrimSpace(strings.TrimSuffix(unemphasize(t), ":"))
	if t == "" {
		return orig, number
	}
	return t, number
}

// unemphasize removes emphasis markers around the whole of s: "**Security**".
func unemphasize(s string) string {
	s = strings.TrimSpace(s)
	for _, m := range []string{"**", "__", "*", "_", "`"} {
		if len(s) > 2*len(m) && strings.HasPrefix(s, m) && strings.HasSuffix(s, m) {
			s = strings.TrimSpace(s[len(m) : len(s)-len(m)])
		}
	}
	return s
}

// leadingNumber reads a section number such as "2. ", "10) " or "3 - ".
func leadingNumber(s string) (int, string, bool) {
	i, n := 0, 0
	for i < len(s) && i < 4 && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i == 0 || i == len(s) {
		return 0, s, false
	}
	rest := s[i:]
	switch {
	case rest[0] == '.' || rest[0] == ')':
		rest = rest[1:]
	case strings.HasPrefix(rest, " - ") || strings.HasPrefix(rest, " – ") || strings.HasPrefix(rest, ": "):
		rest = strings.TrimLeft(rest, " ")
		_, size := utf8.DecodeRuneInString(rest)
		rest = rest[size:]
	default:
		return 0, s, false
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, s, false
	}
	return n, strings.TrimSpace(rest), true
}

// trimJunk drops emoji tokens at either end of s, then emoji runes stuck to
// the last word ("Launch🚀").
func trimJunk(s string) string {
	s = strings.TrimSpace(s)
	for s != "" {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			i = len(s)
		}
		if !junkToken(s[:i]) {
			break
		}
		s = strings.TrimSpace(s[i:])
	}
	for s != "" {
		i := strings.LastIndexAny(s, " \t")
		if !junkToken(s[i+1:]) {
			break
		}
		s = strings.TrimSpace(s[:i+1])
	}
	return strings.TrimRightFunc(s, isSymbol)
}

// junkToken tells whether a whitespace-separated token is an emoji or the
// garbled bytes of one rather than a word. A word has an ASCII letter or
// digit, or a letter of a script beyond Latin (Cyrillic, CJK, ...). Garbling
// UTF-8 emoji through Latin-1, Windows-1252 or Mac Roman yields symbols,
// punctuation and accented Latin letters only, never an ASCII one; so a token
// made only of those, with at least one non-ASCII rune, is junk. The price is
// that a lone accented word without plain letters ("é") at the very end of a
// heading is dropped too.
func junkToken(tok string) bool {
	nonASCII := false
	for _, r := range tok {
		switch {
		case r < utf8.RuneSelf:
			if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return false
			}
		case unicode.IsLetter(r) && r > 0x24F, unicode.IsDigit(r):
			return false
		default:
			nonASCII = true
		}
	}
	return nonASCII
}

// isSymbol reports emoji and their companions: symbols, private-use and
// format characters (zero-width joiners), variation selectors and keycaps.
func isSymbol(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return false
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF, r == utf8.RuneError:
		return true
	}
	return unicode.In(r, unicode.So, unicode.Sk, unicode.Co, unicode.Cf, unicode.Me)
}
