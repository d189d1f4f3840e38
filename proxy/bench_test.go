package proxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/rietest"
)

// The benchmarks report figures; they assert nothing about timing. Run them with
//
//	go test ./proxy -run '^$' -bench 'AddedLatency|Throughput|Translate' -benchtime 3000x -count 3
//
// and note the load average (uptime): the figures move with whatever else the machine runs.
// direct-p50 / proxy-p50 of BenchmarkAddedLatency is the proxy's share of the direct RIE's
// requests per second at concurrency 1, measured in one loop; the Throughput pairs run one
// after the other, so the load may differ between them.
//
// BenchmarkAddedLatency alternates direct RIE invokes and the same request through the proxy
// in one loop, so both see the same machine load. BenchmarkThroughput measures requests per
// second at concurrency 1 (direct and proxied) and 64 (proxied; a plain RIE cannot take two
// invokes at once, so the proxy queues them). BenchmarkTranslate* count allocations of the
// pure translation: request → event JSON → answer → response.

// benchClient keeps connections alive to both servers.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxIdleConns: 256}}

type benchSetup struct {
	rie   *rietest.RIE
	proxy string // the proxy's base URL
	event []byte // the event the proxy sends for benchPath, for direct invokes
}

// benchPath is answered with the example function's short greeting.
const benchPath = "/hello"

func newBenchSetup(b *testing.B, api API) *benchSetup {
	b.Helper()
	rie := startRIE(b, "")
	g := DefaultGateway(api, rie.URL)
	s := &Server{Gateway: g, AccessLog: io.Discard}
	url := "http://" + serveOn(b, s) // Serve, as the proxy target runs it
	// Capture the exact event the proxy sends, so direct invokes carry the same payload.
	c := &capture2{}
	cs := &Server{Gateway: DefaultGateway(api, rie.URL), Invokers: map[string]Invoker{DefaultFunctionName: c}, AccessLog: io.Discard}
	cs.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", benchPath, nil))
	bs := &benchSetup{rie: rie, proxy: url, event: c.event}
	bs.direct(b) // warm the function up (first invoke starts the runtime)
	bs.proxied(b)
	return bs
}

func (s *benchSetup) direct(b *testing.B) {
	resp, err := benchClient.Post(s.rie.InvokeURL, "application/json", bytes.NewReader(s.event))
	finish(b, resp, err)
}

func (s *benchSetup) proxied(b *testing.B) {
	resp, err := benchClient.Get(s.proxy + benchPath)
	finish(b, resp, err)
}

func finish(b *testing.B, resp *http.Response, err error) {
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

func percentile(d []time.Duration, p float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[int(float64(len(s)-1)*p)]) / float64(time.Microsecond)
}

func BenchmarkAddedLatency(b *testing.B) {
	for _, api := range []API{REST, HTTP} {
		b.Run(string(api), func(b *testing.B) {
			s := newBenchSetup(b, api)
			direct := make([]time.Duration, 0, b.N)
			proxied := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				s.direct(b)
				t1 := time.Now()
				s.proxied(b)
				t2 := time.Now()
				direct = append(direct, t1.Sub(t0))
				proxied = append(proxied, t2.Sub(t1))
			}
			b.StopTimer()
			b.ReportMetric(percentile(direct, 0.50), "direct-p50-µs")
			b.ReportMetric(percentile(direct, 0.99), "direct-p99-µs")
			b.ReportMetric(percentile(proxied, 0.50), "proxy-p50-µs")
			b.ReportMetric(percentile(proxied, 0.99), "proxy-p99-µs")
			b.ReportMetric(percentile(proxied, 0.50)-percentile(direct, 0.50), "added-p50-µs")
			b.ReportMetric(percentile(proxied, 0.99)-percentile(direct, 0.99), "added-p99-µs")
		})
	}
}

func BenchmarkThroughput(b *testing.B) {
	cases := []struct {
		name        string
		concurrency int
		viaProxy    bool
	}{
		{"direct/concurrency=1", 1, false},
		{"proxy/concurrency=1", 1, true},
		{"proxy/concurrency=64", 64, true},
	}
	for _, api := range []API{REST, HTTP} {
		s := newBenchSetup(b, api)
		for _, c := range cases {
			b.Run(string(api)+"/"+c.name, func(b *testing.B) {
				var wg sync.WaitGroup
				work := make(chan struct{}, b.N)
				for range b.N {
					work <- struct{}{}
				}
				close(work)
				b.ResetTimer()
				start := time.Now()
				for range c.concurrency {
					wg.Go(func() {
						for range work {
							if c.viaProxy {
								s.proxied(b)
							} else {
								s.direct(b)
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			})
		}
	}
}

// benchRequest is a typical API request: a few headers, a query, a small JSON body.
func benchRequest() *http.Request {
	r := httptest.NewRequest("POST", "/items/42?color=red&size=L&tag=a&tag=b", bytes.NewReader([]byte(`{"name":"widget","qty":3}`)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "curl/8.5.0")
	r.Header.Set("Accept", "*/*")
	r.Header.Set("Cookie", "session=abc; theme=dark")
	r.RemoteAddr = "127.0.0.1:50000"
	return r
}

func benchTranslate(b *testing.B, api API, answer string) {
	inv := InvokerFunc(func(context.Context, []byte) ([]byte, error) { return []byte(answer), nil })
	s := testServer(api, inv, route("POST /items/{id}"))
	if err := s.init(); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"name":"widget","qty":3}`)
	r := benchRequest()
	rd := &rewindable{}
	r.Body = rd
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rd.Reset(body)
		x := exchange{ids: newRequestIDs(api, fixedNow)}
		rep, err := s.handle(r, fixedNow, &x, nil)
		if err != nil || rep.Status != 200 {
			b.Fatalf("%v %v", rep, err)
		}
	}
}

// rewindable is a request body that can be refilled without allocating.
type rewindable struct{ bytes.Reader }

func (*rewindable) Close() error { return nil }

// BenchmarkTranslateREST: one REST request translated to its event and its answer back.
func BenchmarkTranslateREST(b *testing.B) {
	benchTranslate(b, REST, `{"statusCode":200,"headers":{"Content-Type":"application/json"},"multiValueHeaders":null,"body":"{\"id\":42}"}`)
}

// BenchmarkTranslateHTTP: the same for an HTTP API, payload 2.0.
func BenchmarkTranslateHTTP(b *testing.B) {
	benchTranslate(b, HTTP, `{"statusCode":200,"headers":{"content-type":"application/json"},"cookies":["a=1"],"body":"{\"id\":42}"}`)
}
