package kafka

/*
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

// What the fetcher uses of librdkafka's public API (rdkafka.h, stable ABI),
// declared here: confluent-kafka-go links the library. Enums are ints.
typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_conf_s rd_kafka_conf_t;
typedef struct rd_kafka_queue_s rd_kafka_queue_t;
typedef struct rd_kafka_topic_s rd_kafka_topic_t;
typedef struct rd_kafka_headers_s rd_kafka_headers_t;
typedef struct rd_kafka_op_s rd_kafka_event_t;
typedef struct rd_kafka_topic_partition_list_s rd_kafka_topic_partition_list_t;
typedef struct rd_kafka_topic_partition_s rd_kafka_topic_partition_t;
typedef struct rd_kafka_topic_conf_s rd_kafka_topic_conf_t;
typedef struct rd_kafka_error_s rd_kafka_error_t;

struct rd_kafka_metadata_partition {
	int32_t id;
	int err;
	int32_t leader;
	int replica_cnt;
	int32_t *replicas;
	int isr_cnt;
	int32_t *isrs;
};

struct rd_kafka_metadata_topic {
	char *topic;
	int partition_cnt;
	struct rd_kafka_metadata_partition *partitions;
	int err;
};

struct rd_kafka_metadata {
	int broker_cnt;
	struct rd_kafka_metadata_broker *brokers;
	int topic_cnt;
	struct rd_kafka_metadata_topic *topics;
	int32_t orig_broker_id;
	char *orig_broker_name;
};

typedef struct rd_kafka_message_s {
	int err;
	rd_kafka_topic_t *rkt;
	int32_t partition;
	void *payload;
	size_t len;
	void *key;
	size_t key_len;
	int64_t offset;
	void *_private;
} rd_kafka_message_t;

#define RNL_RD_KAFKA_CONSUMER 1
#define RNL_RD_KAFKA_CONF_OK 0
#define RNL_RD_KAFKA_RESP_ERR__FATAL (-150)
#define RNL_RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART 3
#define RNL_RD_KAFKA_TIMESTAMP_NOT_AVAILABLE 0

rd_kafka_conf_t *rd_kafka_conf_new(void);
void rd_kafka_conf_destroy(rd_kafka_conf_t *conf);
int rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *errstr, size_t errstr_size);
void rd_kafka_conf_set_error_cb(rd_kafka_conf_t *conf, void (*error_cb)(rd_kafka_t *rk, int err, const char *reason, void *opaque));
void rd_kafka_conf_set_opaque(rd_kafka_conf_t *conf, void *opaque);
rd_kafka_t *rd_kafka_new(int type, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size);
void rd_kafka_destroy(rd_kafka_t *rk);
const char *rd_kafka_name(const rd_kafka_t *rk);
int rd_kafka_fatal_error(rd_kafka_t *rk, char *errstr, size_t errstr_size);
int rd_kafka_poll_set_consumer(rd_kafka_t *rk);
rd_kafka_queue_t *rd_kafka_queue_get_consumer(rd_kafka_t *rk);
rd_kafka_queue_t *rd_kafka_queue_get_main(rd_kafka_t *rk);
rd_kafka_queue_t *rd_kafka_queue_new(rd_kafka_t *rk);
void rd_kafka_queue_destroy(rd_kafka_queue_t *rkqu);
size_t rd_kafka_queue_length(rd_kafka_queue_t *rkqu);
int rd_kafka_set_log_queue(rd_kafka_t *rk, rd_kafka_queue_t *rkqu);
rd_kafka_event_t *rd_kafka_queue_poll(rd_kafka_queue_t *rkqu, int timeout_ms);
int rd_kafka_event_log(rd_kafka_event_t *rkev, const char **fac, const char **str, int *level);
void rd_kafka_event_destroy(rd_kafka_event_t *rkev);
rd_kafka_topic_partition_list_t *rd_kafka_topic_partition_list_new(int size);
void rd_kafka_topic_partition_list_destroy(rd_kafka_topic_partition_list_t *rkparlist);
rd_kafka_topic_partition_t *rd_kafka_topic_partition_list_add(rd_kafka_topic_partition_list_t *rktparlist, const char *topic, int32_t partition);
int rd_kafka_topic_partition_list_set_offset(rd_kafka_topic_partition_list_t *rktparlist, const char *topic, int32_t partition, int64_t offset);
rd_kafka_error_t *rd_kafka_incremental_assign(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *partitions);
int rd_kafka_error_code(const rd_kafka_error_t *error);
void rd_kafka_error_destroy(rd_kafka_error_t *error);
rd_kafka_topic_t *rd_kafka_topic_new(rd_kafka_t *rk, const char *topic, rd_kafka_topic_conf_t *conf);
void rd_kafka_topic_destroy(rd_kafka_topic_t *rkt);
int rd_kafka_query_watermark_offsets(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t *low, int64_t *high, int timeout_ms);
int rd_kafka_offsets_store(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *offsets);
int rd_kafka_consumer_close(rd_kafka_t *rk);
ssize_t rd_kafka_consume_batch_queue(rd_kafka_queue_t *rkqu, int timeout_ms, rd_kafka_message_t **rkmessages, size_t rkmessages_size);
rd_kafka_message_t *rd_kafka_consume_queue(rd_kafka_queue_t *rkqu, int timeout_ms);
void rd_kafka_message_destroy(rd_kafka_message_t *rkmessage);
int64_t rd_kafka_message_timestamp(const rd_kafka_message_t *rkmessage, int *tstype);
int rd_kafka_message_headers(const rd_kafka_message_t *rkmessage, rd_kafka_headers_t **hdrsp);
int rd_kafka_header_get_all(const rd_kafka_headers_t *hdrs, size_t idx, const char **namep, const void **valuep, size_t *sizep);
int rd_kafka_metadata(rd_kafka_t *rk, int all_topics, rd_kafka_topic_t *only_rkt, const struct rd_kafka_metadata **metadatap, int timeout_ms);
void rd_kafka_metadata_destroy(const struct rd_kafka_metadata *metadata);

// RNL_PENDING is how many messages one librdkafka batch call takes.
#define RNL_PENDING 1024
#define RNL_ERRSTR 512

// rnl_fetcher is a consumer of topic (rkt its handle, for metadata
// requests) and what it fetched that the caller's buffers could not take
// yet (pend[ipend:npend]), with the last client error its error callback
// reported since the last rnl_fetch (err 0: none).
typedef struct {
	rd_kafka_t *rk;
	rd_kafka_queue_t *q, *logq;
	char *topic;
	rd_kafka_topic_t *rkt;
	rd_kafka_message_t *pend[RNL_PENDING];
	int npend, ipend;
	pthread_mutex_t mu;
	int err, fatal;
	char errstr[RNL_ERRSTR];
} rnl_fetcher;

// rnl_msg is one message copied out, its bytes in the caller's arena at
// the offsets given (a length of -1: absent). For an error, err is its
// code and value its text. headers holds each header as a uint32 name
// length, the name, an int32 value length (-1: null) and the value, in
// native byte order.
typedef struct {
	int64_t offset, timestamp;
	int32_t partition, err, tstype;
	int32_t value, value_len, key, key_len, headers, headers_len;
} rnl_msg;

static void rnl_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
	rnl_fetcher *f = opaque;
	char buf[RNL_ERRSTR];
	int fatal = err == RNL_RD_KAFKA_RESP_ERR__FATAL;
	if (fatal) {
		err = rd_kafka_fatal_error(rk, buf, sizeof buf);
		reason = buf;
	}
	pthread_mutex_lock(&f->mu);
	if (fatal || !f->fatal) { // a fatal error is never overwritten
		f->err = err;
		f->fatal = fatal;
		snprintf(f->errstr, sizeof f->errstr, "%s", reason);
	}
	pthread_mutex_unlock(&f->mu);
}

// rnl_new creates a consumer of topic from the properties names[i] =
// values[i]; NULL with the reason in errstr on failure.
static rnl_fetcher *rnl_new(char **names, char **values, int n, const char *topic, char *errstr, size_t errsize) {
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	for (int i = 0; i < n; i++) {
		if (rd_kafka_conf_set(conf, names[i], values[i], errstr, errsize) != RNL_RD_KAFKA_CONF_OK) {
			rd_kafka_conf_destroy(conf);
			return NULL;
		}
	}
	if (rd_kafka_conf_set(conf, "log.queue", "true", errstr, errsize) != RNL_RD_KAFKA_CONF_OK) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rnl_fetcher *f = calloc(1, sizeof *f);
	pthread_mutex_init(&f->mu, NULL);
	rd_kafka_conf_set_error_cb(conf, rnl_error_cb);
	rd_kafka_conf_set_opaque(conf, f);
	f->rk = rd_kafka_new(RNL_RD_KAFKA_CONSUMER, conf, errstr, errsize);
	if (!f->rk) {
		rd_kafka_conf_destroy(conf);
		pthread_mutex_destroy(&f->mu);
		free(f);
		return NULL;
	}
	f->logq = rd_kafka_queue_new(f->rk);
	rd_kafka_set_log_queue(f->rk, f->logq);
	rd_kafka_poll_set_consumer(f->rk);
	f->q = rd_kafka_queue_get_consumer(f->rk);
	if (!f->q) // no group.id: the consumer's messages come to the main queue
		f->q = rd_kafka_queue_get_main(f->rk);
	f->topic = strdup(topic);
	f->rkt = rd_kafka_topic_new(f->rk, topic, NULL);
	return f;
}

// rnl_close closes the consumer, committing its stored offsets when it
// auto-commits; rnl_free then frees f.
static int rnl_close(rnl_fetcher *f) {
	for (; f->ipend < f->npend; f->ipend++)
		rd_kafka_message_destroy(f->pend[f->ipend]);
	return rd_kafka_consumer_close(f->rk);
}

static void rnl_free(rnl_fetcher *f) {
	if (f->rkt)
		rd_kafka_topic_destroy(f->rkt);
	rd_kafka_queue_destroy(f->q);
	rd_kafka_queue_destroy(f->logq);
	rd_kafka_destroy(f->rk);
	pthread_mutex_destroy(&f->mu);
	free(f->topic);
	free(f);
}

// rnl_offsets sets list[partitions[i]] = offsets[i] for f's topic.
static rd_kafka_topic_partition_list_t *rnl_offsets(rnl_fetcher *f, int32_t *partitions, int64_t *offsets, int n) {
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
	for (int i = 0; i < n; i++) {
		rd_kafka_topic_partition_list_add(l, f->topic, partitions[i]);
		rd_kafka_topic_partition_list_set_offset(l, f->topic, partitions[i], offsets[i]);
	}
	return l;
}

// rnl_assign adds the n partitions of f's topic, at their offsets, to
// those f reads, which it goes on reading undisturbed.
static int rnl_assign(rnl_fetcher *f, int32_t *partitions, int64_t *offsets, int n) {
	rd_kafka_topic_partition_list_t *l = rnl_offsets(f, partitions, offsets, n);
	rd_kafka_error_t *e = rd_kafka_incremental_assign(f->rk, l);
	int err = 0;
	if (e) {
		err = rd_kafka_error_code(e);
		rd_kafka_error_destroy(e);
	}
	rd_kafka_topic_partition_list_destroy(l);
	return err;
}

// rnl_store stores offset as partition's position, for auto-commit.
static int rnl_store(rnl_fetcher *f, int32_t partition, int64_t offset) {
	rd_kafka_topic_partition_list_t *l = rnl_offsets(f, &partition, &offset, 1);
	int err = rd_kafka_offsets_store(f->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	return err;
}

// rnl_probe asks the brokers for metadata, waiting timeout_ms at most.
static int rnl_probe(rnl_fetcher *f, int timeout_ms) {
	const struct rd_kafka_metadata *md;
	int err = rd_kafka_metadata(f->rk, 0, NULL, &md, timeout_ms);
	if (!err)
		rd_kafka_metadata_destroy(md);
	return err;
}

// rnl_partitions asks the brokers for the partitions of f's topic, waiting
// timeout_ms at most, and sets *ids to their ids (*n of them, in a malloc'd
// array the caller frees; NULL on error). A topic the brokers do not know
// is RNL_RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.
static int rnl_partitions(rnl_fetcher *f, int timeout_ms, int32_t **ids, int *n) {
	const struct rd_kafka_metadata *md;
	*ids = NULL;
	*n = 0;
	if (!f->rkt)
		return RNL_RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
	int err = rd_kafka_metadata(f->rk, 0, f->rkt, &md, timeout_ms);
	if (err)
		return err;
	if (md->topic_cnt != 1 || strcmp(md->topics[0].topic, f->topic) != 0)
		err = RNL_RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
	else if (md->topics[0].err)
		err = md->topics[0].err;
	else {
		const struct rd_kafka_metadata_topic *t = &md->topics[0];
		*ids = malloc((t->partition_cnt + 1) * sizeof **ids);
		for (int i = 0; i < t->partition_cnt; i++)
			(*ids)[i] = t->partitions[i].id;
		*n = t->partition_cnt;
	}
	rd_kafka_metadata_destroy(md);
	return err;
}

// rnl_refill takes what the consumer has queued into pend, waiting
// timeout_ms at most for a first message when none is; false when none came.
static int rnl_refill(rnl_fetcher *f, int timeout_ms) {
	f->ipend = f->npend = 0;
	ssize_t n = rd_kafka_consume_batch_queue(f->q, 0, f->pend, RNL_PENDING);
	if (n <= 0 && timeout_ms > 0) {
		// The batch call would wait for a full batch: wait for one message.
		rd_kafka_message_t *m = rd_kafka_consume_queue(f->q, timeout_ms);
		if (m) {
			f->pend[0] = m;
			n = 1;
		}
	}
	if (n <= 0)
		return 0;
	f->npend = n;
	return 1;
}

// rnl_headers_size is the size of m's headers in an rnl_msg's encoding.
static size_t rnl_headers_size(rd_kafka_headers_t *h) {
	size_t size = 0, vlen;
	const char *name;
	const void *val;
	for (size_t i = 0; h && !rd_kafka_header_get_all(h, i, &name, &val, &vlen); i++)
		size += 8 + strlen(name) + (val ? vlen : 0);
	return size;
}

static char *rnl_put32(char *p, int32_t v) {
	memcpy(p, &v, 4);
	return p + 4;
}

// rnl_copy copies m into o and arena[used:], returning the bytes used.
static size_t rnl_copy(rd_kafka_message_t *m, rd_kafka_headers_t *h, rnl_msg *o, char *arena, size_t used) {
	o->offset = m->offset;
	o->partition = m->partition;
	o->err = m->err;
	o->tstype = RNL_RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
	o->timestamp = m->err ? -1 : rd_kafka_message_timestamp(m, &o->tstype);
	size_t start = used;
	o->value = used;
	o->value_len = m->payload ? (int32_t)m->len : -1;
	if (m->payload) {
		memcpy(arena + used, m->payload, m->len);
		used += m->len;
	}
	o->key = used;
	o->key_len = !m->err && m->key ? (int32_t)m->key_len : -1;
	if (o->key_len > 0) {
		memcpy(arena + used, m->key, m->key_len);
		used += m->key_len;
	}
	o->headers = used;
	char *p = arena + used;
	const char *name;
	const void *val;
	size_t vlen;
	for (size_t i = 0; h && !rd_kafka_header_get_all(h, i, &name, &val, &vlen); i++) {
		size_t nlen = strlen(name);
		p = rnl_put32(p, nlen);
		memcpy(p, name, nlen);
		p = rnl_put32(p + nlen, val ? (int32_t)vlen : -1);
		if (val) {
			memcpy(p, val, vlen);
			p += vlen;
		}
	}
	o->headers_len = p - (arena + used);
	return (p - arena) - start;
}

// rnl_fetch copies up to max messages into out, and their bytes into
// arena (of size bytes), waiting timeout_ms at most when none is there,
// and destroys them. It returns how many it copied: 0 and *need > 0 when
// the next message needs an arena of *need bytes. *logs is how many log
// lines wait in the log queue. The last client error since the previous
// call, if any, is moved to *err, *fatal and errstr (RNL_ERRSTR bytes).
static int rnl_fetch(rnl_fetcher *f, int timeout_ms, rnl_msg *out, int max, char *arena, size_t size,
		int headers, size_t *need, size_t *logs, int *err, int *fatal, char *errstr) {
	int n = 0;
	size_t used = 0;
	*need = 0;
	while (n < max) {
		if (f->ipend == f->npend) {
			if (!rnl_refill(f, n == 0 ? timeout_ms : 0))
				break;
		}
		rd_kafka_message_t *m = f->pend[f->ipend];
		rd_kafka_headers_t *h = NULL;
		if (headers && !m->err && rd_kafka_message_headers(m, &h))
			h = NULL;
		size_t want = (m->payload ? m->len : 0) + (!m->err && m->key ? m->key_len : 0) + rnl_headers_size(h);
		if (used + want > size) {
			if (n == 0)
				*need = want;
			break;
		}
		used += rnl_copy(m, h, &out[n++], arena, used);
		rd_kafka_message_destroy(m);
		f->ipend++;
	}
	*logs = rd_kafka_queue_length(f->logq);
	pthread_mutex_lock(&f->mu);
	*err = f->err;
	*fatal = f->fatal;
	if (f->err)
		memcpy(errstr, f->errstr, RNL_ERRSTR);
	f->err = f->fatal = 0;
	pthread_mutex_unlock(&f->mu);
	return n;
}

// rnl_log moves the next log line of f into fac and str (size bytes
// each); false when there is none.
static int rnl_log(rnl_fetcher *f, char *fac, char *str, size_t size, int *level) {
	rd_kafka_event_t *ev = rd_kafka_queue_poll(f->logq, 0);
	if (!ev)
		return 0;
	const char *efac = "", *estr = "";
	rd_kafka_event_log(ev, &efac, &estr, level);
	snprintf(fac, size, "%s", efac);
	snprintf(str, size, "%s", estr);
	rd_kafka_event_destroy(ev);
	return 1;
}
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unsafe"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// kafkaFetchMax is the most messages one fetch returns.
const kafkaFetchMax = 1024

// kafkaArenaSize is the size of the arenas the fetched bytes are copied
// to (larger for a message that needs more); a fetch writes after the
// bytes of the previous one while at least kafkaArenaMin bytes remain.
const (
	kafkaArenaSize = 1 << 20
	kafkaArenaMin  = 64 << 10
)

// kafkaFetcher is a librdkafka consumer driven from Go, reading many
// messages per cgo call: each fetch copies the messages into Go-owned
// memory (descriptors in recs, bytes in an arena) and destroys them, so
// that Go never holds C memory.
//
// Invariant: fetch and message are called by one goroutine at a time;
// storeOffset, assign, partitions and earliest may be called concurrently
// with them (and with each other); close is the last call. An arena region a fetch handed out is never written again.
type kafkaFetcher struct {
	c    *C.rnl_fetcher
	name string // the client's name, for its log lines
	// headers tells whether fetches copy the messages' headers.
	headers bool
	recs    []C.rnl_msg
	// arena is the region of the last fetch; free the arena after it.
	arena, free []byte
	errstr      [C.RNL_ERRSTR]byte
}

// newKafkaFetcher creates a consumer of topic with the librdkafka
// properties of cm (those not starting with "go.", which are
// confluent-kafka-go's), copying headers when headers is true. A
// configuration librdkafka refuses is a 22023 error.
func newKafkaFetcher(cm ck.ConfigMap, topic string, headers bool) (*kafkaFetcher, error) {
	var names, values []*C.char
	defer func() {
		for i := range names {
			C.free(unsafe.Pointer(names[i]))
			C.free(unsafe.Pointer(values[i]))
		}
	}()
	for k, v := range cm {
		if strings.HasPrefix(k, "go.") {
			continue
		}
		names = append(names, C.CString(k))
		values = append(values, C.CString(fmt.Sprint(v)))
	}
	ctopic := C.CString(topic)
	defer C.free(unsafe.Pointer(ctopic))
	var errstr [512]C.char
	var namesp, valuesp **C.char
	if len(names) > 0 {
		namesp, valuesp = &names[0], &values[0]
	}
	c := C.rnl_new(namesp, valuesp, C.int(len(names)), ctopic, &errstr[0], C.size_t(len(errstr)))
	if c == nil {
		return nil, configError(errors.New(C.GoString(&errstr[0])))
	}
	return &kafkaFetcher{c: c, name: C.GoString(C.rd_kafka_name(c.rk)), headers: headers,
		recs: make([]C.rnl_msg, kafkaFetchMax)}, nil
}

// assign has the consumer read partitions[i] from offsets[i] too, reading
// on the partitions it reads already (which partitions must not name).
func (f *kafkaFetcher) assign(partitions []int32, offsets []int64) error {
	if len(partitions) == 0 {
		return nil
	}
	err := C.rnl_assign(f.c, (*C.int32_t)(unsafe.Pointer(&partitions[0])), (*C.int64_t)(unsafe.Pointer(&offsets[0])), C.int(len(partitions)))
	return kafkaErr(err)
}

// fetch fetches the messages available, waiting timeout milliseconds at
// most when there is none, and returns how many came (see message). The
// error is the last error the client reported meanwhile, as a ck.Error.
func (f *kafkaFetcher) fetch(timeout int) (int, error) {
	headers := C.int(0)
	if f.headers {
		headers = 1
	}
	for {
		if len(f.free) < kafkaArenaMin {
			f.free = make([]byte, kafkaArenaSize)
		}
		var need, logs C.size_t
		var code, fatal C.int
		n := int(C.rnl_fetch(f.c, C.int(timeout), &f.recs[0], C.int(len(f.recs)),
			(*C.char)(unsafe.Pointer(&f.free[0])), C.size_t(len(f.free)), headers,
			&need, &logs, &code, &fatal, (*C.char)(unsafe.Pointer(&f.errstr[0]))))
		if logs > 0 {
			f.logs()
		}
		var err error
		if code != 0 {
			msg := C.GoString((*C.char)(unsafe.Pointer(&f.errstr[0])))
			err = ck.NewError(ck.ErrorCode(code), msg, fatal != 0)
		}
		if n == 0 && need > 0 {
			f.free = make([]byte, max(int(need), kafkaArenaSize))
			if err != nil {
				return 0, err
			}
			continue
		}
		used := 0
		if n > 0 { // the headers of a message come after its value and key
			used = int(f.recs[n-1].headers + f.recs[n-1].headers_len)
		}
		f.arena, f.free = f.free[:used:used], f.free[used:]
		return n, err
	}
}

// message is message i of the last fetch, or the error it reports (a
// ck.Error, not fatal).
func (f *kafkaFetcher) message(i int) (kafkaMessage, error) {
	r := &f.recs[i]
	if r.err != 0 {
		msg := ""
		if r.value_len > 0 {
			msg = string(f.arena[r.value : r.value+r.value_len])
		}
		return kafkaMessage{}, ck.NewError(ck.ErrorCode(r.err), msg, false)
	}
	m := kafkaMessage{partition: int32(r.partition), offset: int64(r.offset),
		timestamp: int64(r.timestamp), hasTimestamp: r.tstype != C.RNL_RD_KAFKA_TIMESTAMP_NOT_AVAILABLE}
	if r.value_len >= 0 {
		m.value = f.arena[r.value : r.value+r.value_len : r.value+r.value_len]
	}
	if r.key_len >= 0 {
		m.key = f.arena[r.key : r.key+r.key_len : r.key+r.key_len]
	}
	if r.headers_len > 0 {
		m.headers = f.arena[r.headers : r.headers+r.headers_len : r.headers+r.headers_len]
	}
	return m, nil
}

// storeOffset stores next as partition's position, which the consumer
// commits to its group.id when it auto-commits.
func (f *kafkaFetcher) storeOffset(partition int32, next int64) error {
	return kafkaErr(C.rnl_store(f.c, C.int32_t(partition), C.int64_t(next)))
}

// partitions lists the topic's partitions, in order, as the brokers say
// within timeout milliseconds.
func (f *kafkaFetcher) partitions(timeout int) ([]int32, error) {
	var ids *C.int32_t
	var n C.int
	if err := C.rnl_partitions(f.c, C.int(timeout), &ids, &n); err != 0 {
		return nil, kafkaErr(err)
	}
	defer C.free(unsafe.Pointer(ids))
	parts := make([]int32, n)
	copy(parts, unsafe.Slice((*int32)(unsafe.Pointer(ids)), n))
	slices.Sort(parts)
	return parts, nil
}

// earliest is the offset of partition's first message (its end when it
// has none), as the brokers say within timeout milliseconds.
func (f *kafkaFetcher) earliest(partition int32, timeout int) (int64, error) {
	var low, high C.int64_t
	err := C.rd_kafka_query_watermark_offsets(f.c.rk, f.c.topic, C.int32_t(partition), &low, &high, C.int(timeout))
	return int64(low), kafkaErr(err)
}

// probe tells whether the brokers answer a metadata request within
// timeout milliseconds.
func (f *kafkaFetcher) probe(timeout int) error {
	return kafkaErr(C.rnl_probe(f.c, C.int(timeout)))
}

// logs hands the client's pending log lines to slog, at debug level.
func (f *kafkaFetcher) logs() {
	var fac, str [512]C.char
	var level C.int
	for C.rnl_log(f.c, &fac[0], &str[0], C.size_t(len(str)), &level) != 0 {
		slog.Debug("librdkafka", "client", f.name, "tag", C.GoString(&fac[0]), "level", int(level), "message", C.GoString(&str[0]))
	}
}

// close closes the consumer, committing the offsets stored when it
// auto-commits, and frees it. A failure to commit only loses the last
// informational commit: it is not reported.
func (f *kafkaFetcher) close() {
	C.rnl_close(f.c)
	f.logs()
	C.rnl_free(f.c)
	f.c = nil
}

// kafkaErr is librdkafka error code err as a ck.Error, nil for none.
func kafkaErr(err C.int) error {
	if err == 0 {
		return nil
	}
	return ck.NewError(ck.ErrorCode(err), "", false)
}

// kafkaMessage is a message fetched, its bytes in a fetcher's arena.
type kafkaMessage struct {
	partition int32
	offset    int64
	// timestamp is in epoch milliseconds, when hasTimestamp.
	timestamp    int64
	hasTimestamp bool
	// key and value are nil when the message has none.
	key, value []byte
	// headers are encoded as in an rnl_msg, when the fetcher copies them.
	headers []byte
}

// headerList is m's headers.
func (m *kafkaMessage) headerList() []ck.Header {
	var hs []ck.Header
	for b := m.headers; len(b) > 0; {
		n := int(binary.NativeEndian.Uint32(b))
		h := ck.Header{Key: string(b[4 : 4+n])}
		b = b[4+n:]
		if vlen := int32(binary.NativeEndian.Uint32(b)); vlen >= 0 {
			h.Value = b[4 : 4+vlen : 4+vlen]
			b = b[4+vlen:]
		} else {
			b = b[4:]
		}
		hs = append(hs, h)
	}
	return hs
}
