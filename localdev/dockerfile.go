package localdev

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ErrNoFrom means a Dockerfile has no FROM instruction.
var ErrNoFrom = errors.New("Dockerfile has no FROM instruction")

// fromInstruction is one FROM instruction of a Dockerfile.
type fromInstruction struct {
	line       int    // 1-based line of the FROM keyword
	image      string // the image operand as written
	start, end int    // byte offsets of image in the file
	stage      string // the AS name, if any
}

// external reports whether the FROM names an image in a registry, as opposed to an earlier stage,
// scratch, or a build argument that only the builder can expand.
func (f fromInstruction) external(stages map[string]bool) bool {
	img := strings.ToLower(f.image)
	return img != "scratch" && !stages[img] && !strings.Contains(img, "$")
}

// PinFrom returns dockerfile with the image of its base FROM instruction replaced by pinned, a
// reference of the form repo:tag@sha256:…. Every other byte is kept: --platform= flags, the AS
// name, comments, line endings and all other instructions.
//
// The base FROM is the first FROM whose image is in pinned's repository (tags and digests do not
// matter, Docker Hub short names match their long form). When no FROM names that repository,
// for instance because the base image changed, it is the FROM of the final stage, the image that
// runs; builder stages before it are left alone. A final stage built FROM an earlier stage,
// FROM scratch or FROM a build argument cannot be pinned, and PinFrom says so.
func PinFrom(dockerfile []byte, pinned string) ([]byte, error) {
	ref, err := name.NewDigest(pinned)
	if err != nil {
		return nil, fmt.Errorf("parsing pinned reference %q: %w", pinned, err)
	}
	from, err := baseFrom(dockerfile, ref.Context(), true)
	if err != nil {
		return nil, err
	}
	return replaceImage(dockerfile, from, pinned), nil
}

// replaceImage returns dockerfile with the image operand of from replaced by image.
func replaceImage(dockerfile []byte, from fromInstruction, image string) []byte {
	if from.image == image {
		return dockerfile
	}
	out := make([]byte, 0, len(dockerfile)+len(image))
	out = append(out, dockerfile[:from.start]...)
	out = append(out, image...)
	return append(out, dockerfile[from.end:]...)
}

// baseFrom finds the FROM instruction that names an image of repo. With fallback, a file where
// none does yields the final stage's FROM when that names an external image.
func baseFrom(dockerfile []byte, repo name.Repository, fallback bool) (fromInstruction, error) {
	froms := parseFroms(dockerfile)
	if len(froms) == 0 {
		return fromInstruction{}, fmt.Errorf("%w: add one naming the Lambda base image, e.g. FROM %s:latest", ErrNoFrom, repo)
	}
	stages := map[string]bool{}
	for _, f := range froms {
		if f.external(stages) {
			if r, err := name.ParseReference(f.image); err == nil && r.Context().Name() == repo.Name() {
				return f, nil
			}
		}
		if f.stage != "" {
			stages[strings.ToLower(f.stage)] = true
		}
	}
	last := froms[len(froms)-1]
	if !fallback {
		return last, fmt.Errorf("%w: no FROM names the base image %s", ErrNotPinned, repo)
	}
	delete(stages, strings.ToLower(last.stage))
	if !last.external(stages) {
		return last, fmt.Errorf("no FROM names the base image %s, and the final stage (line %d: FROM %s) is not built from an image that can be pinned: write FROM %s:<tag> where the Lambda base belongs",
			repo, last.line, last.image, repo)
	}
	if _, err := name.ParseReference(last.image); err != nil {
		return last, fmt.Errorf("parsing the image of FROM on line %d: %w", last.line, err)
	}
	return last, nil
}

// Patterns of the Dockerfile syntax parseFroms follows. Compiled once, never changed.
var (
	// heredocRE finds the heredocs (<<EOF, <<-"EOF") an instruction opens.
	heredocRE = regexp.MustCompile(`<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)`)
	// directiveRE matches a parser directive such as # escape=`.
	directiveRE = regexp.MustCompile(`^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$`)
)

// parseFroms returns the FROM instructions of a Dockerfile with the byte offsets of their image
// operands. It follows the Dockerfile rules that decide what is an instruction: the escape
// parser directive, line continuations, comment and blank lines inside continuations, and
// heredoc bodies, which are not instructions. An image split across a line continuation is not
// recognised.
func parseFroms(src []byte) []fromInstruction {
	lines := splitLines(src)
	escape := escapeDirective(lines)
	var froms []fromInstruction
	for i := 0; i < len(lines); i++ {
		if isBlankOrComment(lines[i].text) {
			continue
		}
		segs := []physLine{lines[i]}
		for continues(lines[i].text, escape) && i+1 < len(lines) {
			i++
			if !isBlankOrComment(lines[i].text) {
				segs = append(segs, lines[i])
			}
		}
		toks := tokens(segs, escape)
		if strings.EqualFold(toks[0].text, "FROM") {
			if f, ok := fromTokens(toks); ok {
				froms = append(froms, f)
			}
			continue
		}
		i = skipHeredocs(lines, i, toks)
	}
	return froms
}

// physLine is one line of the file without its line ending; start is its byte offset.
type physLine struct {
	num   int
	start int
	text  string
}

func splitLines(src []byte) []physLine {
	var lines []physLine
	for off, num := 0, 1; off < len(src); num++ {
		n := bytes.IndexByte(src[off:], '\n')
		end := off + n
		if n < 0 {
			end = len(src)
		}
		lines = append(lines, physLine{num: num, start: off, text: strings.TrimSuffix(string(src[off:end]), "\r")})
		off = end + 1
	}
	return lines
}

// escapeDirective reads the escape parser directive (# escape=`), which may only appear among the
// directives at the top of the file. The default escape character is the backslash.
func escapeDirective(lines []physLine) byte {
	for _, l := range lines {
		m := directiveRE.FindStringSubmatch(strings.TrimSpace(l.text))
		if m == nil {
			break
		}
		if strings.EqualFold(m[1], "escape") && (m[2] == "`" || m[2] == `\`) {
			return m[2][0]
		}
	}
	return '\\'
}

func isBlankOrComment(text string) bool {
	t := strings.TrimLeft(text, " \t")
	return t == "" || t[0] == '#'
}

func continues(text string, escape byte) bool {
	t := strings.TrimRight(text, " \t")
	return t != "" && t[len(t)-1] == escape
}

type token struct {
	text  string
	start int
	line  int
}

// tokens splits an instruction's lines into whitespace-separated words with their byte offsets,
// dropping each line's trailing continuation escape.
func tokens(segs []physLine, escape byte) []token {
	var toks []token
	for _, s := range segs {
		text := s.text
		if continues(text, escape) {
			text = strings.TrimRight(text, " \t")
			text = text[:len(text)-1]
		}
		for i := 0; i < len(text); {
			for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
				i++
			}
			j := i
			for j < len(text) && text[j] != ' ' && text[j] != '\t' {
				j++
			}
			if j > i {
				toks = append(toks, token{text: text[i:j], start: s.start + i, line: s.num})
			}
			i = j
		}
	}
	return toks
}

// fromTokens reads FROM [--flag=value...] image [AS name].
func fromTokens(toks []token) (fromInstruction, bool) {
	rest := toks[1:]
	for len(rest) > 0 && strings.HasPrefix(rest[0].text, "--") {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return fromInstruction{}, false
	}
	f := fromInstruction{
		line:  toks[0].line,
		image: rest[0].text,
		start: rest[0].start,
		end:   rest[0].start + len(rest[0].text),
	}
	if len(rest) >= 3 && strings.EqualFold(rest[1].text, "AS") {
		f.stage = rest[2].text
	}
	return f, true
}

// skipHeredocs returns the index of the last line of the heredoc bodies the instruction ending on
// line i opens, or i when it opens none.
func skipHeredocs(lines []physLine, i int, toks []token) int {
	for _, t := range toks {
		for _, m := range heredocRE.FindAllStringSubmatch(t.text, -1) {
			if m[2] != m[4] {
				continue
			}
			for i+1 < len(lines) {
				i++
				body := lines[i].text
				if m[1] == "-" {
					body = strings.TrimLeft(body, "\t")
				}
				if body == m[3] {
					break
				}
			}
		}
	}
	return i
}
