// Command runnel is the runnel server and its tools:
//
//	runnel serve   run the server (Postgres wire protocol)
//	runnel slt     run sqllogictest files against a server
//	runnel bench   run a benchmark (nexmark) on an embedded runnel
//	runnel version print the version
package main

import (
	"fmt"
	"os"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/sqllogictest"
)

const usage = `runnel — a streaming database that speaks the Postgres wire protocol

Usage:
  runnel serve [--listen ADDR] [--data DIR]   run the server
  runnel slt [--url URL] [--extended] FILES…  run sqllogictest files against a server
  runnel bench nexmark [--queries q0,…] [--events N] [--parallelism P] [--runs R] [--json]
                                              run the Nexmark benchmark (see --help)
  runnel version                              print the version

Run "runnel serve --help" for the server's options.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		os.Exit(serve(os.Args[2:]))
	case "bench":
		os.Exit(benchCommand(os.Args[2:]))
	case "slt":
		os.Exit(sqllogictest.Main(os.Args[2:]))
	case "version", "--version":
		fmt.Printf("runnel %s (Postgres %s)\n", runnel.Version, runnel.ServerVersion)
	case "help", "--help", "-h":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "runnel: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
