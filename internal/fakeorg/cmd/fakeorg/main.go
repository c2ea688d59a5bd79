// Command fakeorg writes a made-up company's member file (CSV, Korean and
// English names, nested departments) for worktalkd member import:
//
//	go run ./internal/fakeorg/cmd/fakeorg -n 10000 -domain acme.example > org.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"worktalk.dev/worktalk/internal/fakeorg"
)

func main() {
	n := flag.Int("n", 10_000, "how many members")
	domain := flag.String("domain", "acme.example", "the e-mail `DOMAIN`")
	seed := flag.Uint64("seed", 1, "the same seed makes the same people")
	bom := flag.Bool("bom", true, "start with a UTF-8 byte order mark, as spreadsheet programs do")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	err := fakeorg.Write(w, fakeorg.Generate(*n, *domain, *seed), *bom)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeorg:", err)
		os.Exit(1)
	}
}
