package localdev

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const (
	pinTestDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	pinOldDigest  = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
)

func TestPinFromRewritesOnlyTheBaseImage(t *testing.T) {
	t.Parallel()
	base := "ghcr.io/org/base:latest"
	pinned := base + "@" + pinTestDigest
	for _, tc := range []struct {
		rule, in, pinned, want string
	}{
		{
			rule:   "single FROM is rewritten and every other byte kept",
			in:     "# header\nFROM ghcr.io/org/base:latest\n\nRUN echo hi # FROM x\n",
			pinned: pinned,
			want:   "# header\nFROM " + pinned + "\n\nRUN echo hi # FROM x\n",
		},
		{
			rule:   "platform flag, AS name and trailing spaces are kept",
			in:     "FROM  --platform=$TARGETPLATFORM   ghcr.io/org/base:latest   AS   runtime  \nCMD []",
			pinned: pinned,
			want:   "FROM  --platform=$TARGETPLATFORM   " + pinned + "   AS   runtime  \nCMD []",
		},
		{
			rule:   "keyword is case-insensitive and may be indented",
			in:     "  from ghcr.io/org/base:latest as x\n",
			pinned: pinned,
			want:   "  from " + pinned + " as x\n",
		},
		{
			rule:   "CRLF line endings are kept",
			in:     "FROM ghcr.io/org/base:latest\r\nRUN true\r\n",
			pinned: pinned,
			want:   "FROM " + pinned + "\r\nRUN true\r\n",
		},
		{
			rule:   "an old pin is replaced",
			in:     "FROM ghcr.io/org/base:latest@" + pinOldDigest + "\n",
			pinned: pinned,
			want:   "FROM " + pinned + "\n",
		},
		{
			rule:   "a pin of another tag of the same repository is replaced",
			in:     "FROM ghcr.io/org/base:v1@" + pinOldDigest + "\n",
			pinned: pinned,
			want:   "FROM " + pinned + "\n",
		},
		{
			rule:   "multi-stage: the stage naming the base repository is rewritten, builder stages are not",
			in:     "FROM golang:1.26 AS build\nRUN go build\nFROM ghcr.io/org/base:latest\nCOPY --from=build /x /x\n",
			pinned: pinned,
			want:   "FROM golang:1.26 AS build\nRUN go build\nFROM " + pinned + "\nCOPY --from=build /x /x\n",
		},
		{
			rule:   "multi-stage: only the first FROM naming the base repository is rewritten",
			in:     "FROM ghcr.io/org/base:latest AS a\nFROM ghcr.io/org/base:latest AS b\n",
			pinned: pinned,
			want:   "FROM " + pinned + " AS a\nFROM ghcr.io/org/base:latest AS b\n",
		},
		{
			rule:   "Docker Hub short names match their long form",
			in:     "FROM alpine:3.19\n",
			pinned: "docker.io/library/alpine:3.20@" + pinTestDigest,
			want:   "FROM docker.io/library/alpine:3.20@" + pinTestDigest + "\n",
		},
		{
			rule:   "base image changed: the final stage's FROM is rewritten",
			in:     "FROM golang:1.26 AS build\nFROM ghcr.io/northwood-labs/lambda-provided-al2023:latest\n",
			pinned: "127.0.0.1:5000/lambda/base:test@" + pinTestDigest,
			want:   "FROM golang:1.26 AS build\nFROM 127.0.0.1:5000/lambda/base:test@" + pinTestDigest + "\n",
		},
		{
			rule:   "image after a line continuation",
			in:     "FROM --platform=linux/amd64 \\\n    ghcr.io/org/base:latest \\\n    AS rt\n",
			pinned: pinned,
			want:   "FROM --platform=linux/amd64 \\\n    " + pinned + " \\\n    AS rt\n",
		},
		{
			rule:   "escape directive: backtick continues lines",
			in:     "# escape=`\nFROM `\n ghcr.io/org/base:latest\nRUN dir c:\\\n",
			pinned: pinned,
			want:   "# escape=`\nFROM `\n " + pinned + "\nRUN dir c:\\\n",
		},
		{
			rule:   "a continued RUN line starting with FROM is not an instruction",
			in:     "FROM golang AS b\nRUN echo \\\nFROM ghcr.io/org/base:latest\nFROM ghcr.io/org/base:latest\n",
			pinned: pinned,
			want:   "FROM golang AS b\nRUN echo \\\nFROM ghcr.io/org/base:latest\nFROM " + pinned + "\n",
		},
		{
			rule:   "a heredoc body line starting with FROM is not an instruction",
			in:     "FROM golang AS b\nRUN <<EOF\nFROM ghcr.io/org/base:latest\nEOF\nFROM ghcr.io/org/base:latest\n",
			pinned: pinned,
			want:   "FROM golang AS b\nRUN <<EOF\nFROM ghcr.io/org/base:latest\nEOF\nFROM " + pinned + "\n",
		},
		{
			rule:   "pinning what is already pinned changes nothing",
			in:     "FROM " + pinned + "\n",
			pinned: pinned,
			want:   "FROM " + pinned + "\n",
		},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			got, err := PinFrom([]byte(tc.in), tc.pinned)
			if err != nil {
				t.Fatalf("PinFrom: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("PinFrom\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPinFromRefusesWhatItCannotPin(t *testing.T) {
	t.Parallel()
	pinned := "ghcr.io/org/base:latest@" + pinTestDigest
	for _, tc := range []struct {
		rule, in, pinned string
		is               error
		says             []string
	}{
		{rule: "no FROM at all", in: "# nothing\nRUN true\n", pinned: pinned, is: ErrNoFrom, says: []string{"no FROM"}},
		{rule: "empty file", in: "", pinned: pinned, is: ErrNoFrom},
		{rule: "FROM only in a comment", in: "# FROM ghcr.io/org/base:latest\n", pinned: pinned, is: ErrNoFrom},
		{rule: "final stage built from an earlier stage", in: "FROM golang AS build\nFROM build\n", pinned: pinned,
			says: []string{"line 2", "FROM build", "ghcr.io/org/base"}},
		{rule: "final stage FROM scratch", in: "FROM golang AS build\nFROM scratch\n", pinned: pinned, says: []string{"FROM scratch"}},
		{rule: "final stage FROM a build argument", in: "ARG BASE\nFROM ${BASE}\n", pinned: pinned, says: []string{"FROM ${BASE}"}},
		{rule: "pinned reference without digest", in: "FROM x\n", pinned: "ghcr.io/org/base:latest", says: []string{"parsing pinned reference"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			out, err := PinFrom([]byte(tc.in), tc.pinned)
			if err == nil {
				t.Fatalf("PinFrom = %q, want an error", out)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestParseFromsReportsLinesAndStages(t *testing.T) {
	t.Parallel()
	src := "# syntax=docker/dockerfile:1\nFROM golang:1.26 AS build\nRUN echo \\\n  from here\n\nFROM --platform=linux/arm64 base:1 AS Final\n"
	got := parseFroms([]byte(src))
	want := []fromInstruction{
		{line: 2, image: "golang:1.26", stage: "build"},
		{line: 6, image: "base:1", stage: "Final"},
	}
	if len(got) != len(want) {
		t.Fatalf("parseFroms found %d FROMs (%+v), want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.line != w.line || g.image != w.image || g.stage != w.stage || src[g.start:g.end] != w.image {
			t.Errorf("FROM %d = %+v (operand %q), want %+v", i, g, src[g.start:g.end], w)
		}
	}
}

// ExamplePinFrom pins the base image of a two-stage Dockerfile: the builder stage, flags and
// comments are left as they are.
func ExamplePinFrom() {
	dockerfile := `# The Lambda base, pinned by go tool mage image:pin.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
FROM ghcr.io/northwood-labs/lambda-provided-al2023:latest AS runtime
COPY --from=build /out/bootstrap /var/runtime/bootstrap
`
	pinned := "ghcr.io/northwood-labs/lambda-provided-al2023:latest@" +
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	out, err := PinFrom([]byte(dockerfile), pinned)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// # The Lambda base, pinned by go tool mage image:pin.
	// FROM --platform=$BUILDPLATFORM golang:1.26 AS build
	// FROM ghcr.io/northwood-labs/lambda-provided-al2023:latest@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 AS runtime
	// COPY --from=build /out/bootstrap /var/runtime/bootstrap
}
