package bot

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/golive/golive/internal/launch"
)

// entities undoes the escaping Slack applies to a command's text (with
// should_escape, "R&D" arrives as "R&amp;D"); render escapes again on output.
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// splitArgs splits a command's text into words. Double quotes, straight or
// curly, group words ("Checkout v2"); Slack's escaped forms such as
// <@U123|dana smith> stay one word, verbatim.
func splitArgs(text string) ([]string, error) {
	var (
		args    []string
		cur     strings.Builder
		plain   strings.Builder // text waiting to be unescaped into cur
		inWord  bool
		inQuote bool
	)
	flushPlain := func() {
		cur.WriteString(entities.Replace(plain.String()))
		plain.Reset()
	}
	endWord := func() {
		flushPlain()
		if inWord {
			args = append(args, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	runes := []rune(text)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == '<':
			end := indexRune(runes[i:], '>')
			if end < 0 {
				plain.WriteRune(r)
				inWord = true
				continue
			}
			flushPlain()
			cur.WriteString(string(runes[i : i+end+1]))
			inWord = true
			i += end
		case isOpenQuote(r) && !inQuote:
			inQuote, inWord = true, true
		case isCloseQuote(r) && inQuote:
			inQuote = false
		case unicode.IsSpace(r) && !inQuote:
			endWord()
		default:
			plain.WriteRune(r)
			inWord = true
		}
	}
	if inQuote {
		return nil, launch.Errorf(launch.EINVALID, "A quote is not closed: put names in quotes, for example `new \"Checkout v2\" 2026-12-01`.")
	}
	endWord()
	return args, nil
}

func isOpenQuote(r rune) bool  { return r == '"' || r == '“' || r == '”' || r == '„' }
func isCloseQuote(r rune) bool { return r == '"' || r == '”' || r == '“' }

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

var (
	// escapedUser is a user mention as Slack sends it with should_escape.
	escapedUser = regexp.MustCompile(`^<@([UW][A-Z0-9]{2,30})(?:\|([^>]*))?>$`)
	// rawUserID is a user id typed as such.
	rawUserID = regexp.MustCompile(`^@?([UW][A-Z0-9]{8,30})$`)
)

// isMention tells whether arg looks like a person: a mention or an @name.
func isMention(arg string) bool {
	return strings.HasPrefix(arg, "<@") || strings.HasPrefix(arg, "@")
}

// userRef reads a person from an argument: the escaped mention Slack sends,
// or, as a fallback, a plain @name of someone golive has seen in this team.
// The name in a mention (<@U123|dana>) is Slack's, from the signed request.
func (b *Bot) userRef(team, arg string) (string, error) {
	if m := escapedUser.FindStringSubmatch(arg); m != nil {
		b.names.learn(team, m[1], m[2])
		return m[1], nil
	}
	if m := rawUserID.FindStringSubmatch(arg); m != nil {
		return m[1], nil
	}
	name, ok := strings.CutPrefix(arg, "@")
	if !ok || name == "" {
		return "", launch.Errorf(launch.EINVALID, "Say who with an @mention, for example `@dana`; I read %q as no one.", arg)
	}
	if id := b.names.lookup(team, name); id != "" {
		return id, nil
	}
	return "", launch.Errorf(launch.EINVALID,
		"I could not tell who @%s is. Type @ and pick the person from Slack's list, so that the mention becomes a link.", name)
}

// inertBrackets turns angle brackets into look-alikes.
var inertBrackets = strings.NewReplacer("<", "‹", ">", "›")

// inert makes user text safe inside our notices, which keep <@U…> mentions
// live: a name someone wrote can then neither ping nor link.
func inert(s string) string { return inertBrackets.Replace(s) }

// itemNumbers reads item numbers such as "12 14" or "12,14".
func itemNumbers(args []string) ([]int, error) {
	var out []int
	for _, a := range args {
		for _, f := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' }) {
			n, err := strconv.Atoi(strings.TrimPrefix(f, "#"))
			if err != nil || n <= 0 {
				return nil, launch.Errorf(launch.EINVALID, "%q is not an item number: items are numbered 1, 2, 3, as `checklist` shows them.", f)
			}
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, launch.Errorf(launch.EINVALID, "Say which items, by number: for example `tick 12 14`.")
	}
	return out, nil
}

// closest returns the candidate nearest to word by edit distance.
func closest(word string, candidates []string) string {
	word = strings.ToLower(word)
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(word, c)
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, over runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
