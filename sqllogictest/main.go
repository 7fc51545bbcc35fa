package sqllogictest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// DefaultURL is the server Main tests when --url is not given: a local
// runnel on its default port.
const DefaultURL = "postgres://runnel@127.0.0.1:6877/runnel?sslmode=disable"

// Main is `runnel slt [--url U] [--extended] [--complete] [--verbose]
// FILES…` (args excludes "slt"). It prints every failure and a summary and
// returns the exit status: 0 when every record passed, 1 on any failure,
// 2 on bad usage.
func Main(args []string) int {
	return mainTo(args, os.Stdout, os.Stderr)
}

func mainTo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opt Options
	fs.StringVar(&opt.URL, "url", DefaultURL, "Postgres `URL` of the server to test")
	fs.BoolVar(&opt.Extended, "extended", false, "use the extended query protocol")
	fs.BoolVar(&opt.Complete, "complete", false, "rewrite expected results from the server's answers")
	fs.BoolVar(&opt.Verbose, "verbose", false, "print each record's outcome")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: runnel slt [--url U] [--extended] [--complete] [--verbose] FILES…")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var total Report
	status := 0
	for _, f := range fs.Args() {
		rep, err := RunFile(ctx, f, opt)
		total.add(rep)
		if err != nil {
			fmt.Fprintln(stderr, err)
			status = 1
		}
	}
	for _, f := range total.Failures {
		fmt.Fprintf(stderr, "%s\n\n", f)
	}
	fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped\n", total.Passed, len(total.Failures), total.Skipped)
	if len(total.Failures) > 0 {
		status = 1
	}
	return status
}
