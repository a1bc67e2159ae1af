// Package suggest finds the word someone probably meant: the closest of a
// set of known words, by edit distance.
package suggest

import "strings"

// Closest returns the candidate nearest to word by edit distance, ignoring
// case, and that distance; the first in alphabetical order on a tie, "" and
// -1 for no candidates.
func Closest(word string, candidates []string) (string, int) {
	word = strings.ToLower(word)
	best, bestDist := "", -1
	for _, c := range candidates {
		d := Distance(word, c)
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best, bestDist
}

// Distance is the Levenshtein distance between a and b, over runes.
func Distance(a, b string) int {
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
