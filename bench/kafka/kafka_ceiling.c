/*
 * The C ceiling for the Kafka layer benchmark: librdkafka used directly, the way a careful C program would,
 * with exactly the librdkafka properties RenkeiKafka sets by default (KafkaConfiguration+Librdkafka.swift): the
 * common ones in set_common, then the producer's or the consumer's. Keep the two in step.
 *
 *   kafka_ceiling produce <bootstrap> <topic> <count> <size> <partitions>   (message i to partition i % partitions)
 *   kafka_ceiling consume <bootstrap> <topic> <count> <group>
 *
 * Prints one line: "RESULT <mode> <count> <seconds> <msgs_per_sec> <cpu_seconds>" (cpu: user + system time of the
 * whole process, librdkafka's threads included). Consume time runs from the first message (group join excluded),
 * as in the Swift client of KafkaBench.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "config %s: %s\n", key, err);
        exit(2);
    }
}

/* RenkeiKafka's defaults for every client role. */
static void set_common(rd_kafka_conf_t *conf, const char *bootstrap) {
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "client.id", "renkei");
    set(conf, "security.protocol", "plaintext");
    set(conf, "socket.timeout.ms", "30000");
    set(conf, "socket.nagle.disable", "true");
    set(conf, "log_level", "6");
}

static long delivered = 0, failed = 0;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    if (m->err) failed++; else delivered++;
}

static int produce(const char *bootstrap, const char *topic, long count, size_t size, int partitions) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set_common(conf, bootstrap);
    set(conf, "enable.idempotence", "true");
    set(conf, "acks", "all");
    set(conf, "linger.ms", "5");
    set(conf, "batch.num.messages", "10000");
    set(conf, "queue.buffering.max.messages", "100000");
    set(conf, "queue.buffering.max.kbytes", "262144");
    set(conf, "message.timeout.ms", "60000");
    set(conf, "compression.codec", "none");
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "%s\n", err); return 2; }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    char *payload = malloc(size);
    memset(payload, 'x', size);
    /* Connect and learn the topic before timing, as the Swift side does. */
    const struct rd_kafka_metadata *md;
    rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_metadata_destroy(md);

    double start = now();
    for (long i = 0; i < count; i++) {
        while (rd_kafka_produce(rkt, (int32_t)(i % partitions), RD_KAFKA_MSG_F_COPY, payload, size, NULL, 0, NULL) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                return 1;
            }
            rd_kafka_poll(rk, 1);
        }
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 120000);
    double seconds = now() - start;
    printf("RESULT produce %ld %.3f %.0f %.3f\n", delivered, seconds, delivered / seconds, cpu_seconds());
    if (failed) fprintf(stderr, "%ld failed\n", failed);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(payload);
    return failed ? 1 : 0;
}

static int consume(const char *bootstrap, const char *topic, long count, const char *group) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set_common(conf, bootstrap);
    set(conf, "group.id", group);
    set(conf, "enable.auto.commit", "false");
    set(conf, "enable.auto.offset.store", "false");
    set(conf, "enable.partition.eof", "false");
    set(conf, "isolation.level", "read_committed");
    set(conf, "auto.offset.reset", "earliest");
    set(conf, "session.timeout.ms", "10000");
    set(conf, "heartbeat.interval.ms", "1000");
    set(conf, "max.poll.interval.ms", "300000");
    set(conf, "queued.max.messages.kbytes", "65536");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "%s\n", err); return 2; }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);

    enum { BATCH = 4096 };
    rd_kafka_message_t *messages[BATCH];
    long received = 0;
    size_t bytes = 0;
    double start = 0, deadline = now() + 120;
    while (received < count && now() < deadline) {
        /* Same pattern as RenkeiKafka's poll thread: take what is ready; if nothing is, wait for one message,
         * then take the rest without waiting. */
        ssize_t n = rd_kafka_consume_batch_queue(queue, 0, messages, BATCH);
        if (n == 0) {
            n = rd_kafka_consume_batch_queue(queue, 100, messages, 1);
            if (n == 1) {
                ssize_t more = rd_kafka_consume_batch_queue(queue, 0, messages + 1, BATCH - 1);
                if (more > 0) n += more;
            }
        }
        for (ssize_t i = 0; i < n; i++) {
            if (!messages[i]->err) {
                if (received == 0) start = now();
                received++;
                bytes += messages[i]->len;
            }
            rd_kafka_message_destroy(messages[i]);
        }
    }
    double seconds = now() - start;
    printf("RESULT consume %ld %.3f %.0f %.3f\n", received, seconds, received / seconds, cpu_seconds());
    rd_kafka_queue_destroy(queue);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return (received >= count && bytes > 0) ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 7 && !strcmp(argv[1], "produce"))
        return produce(argv[2], argv[3], atol(argv[4]), (size_t)atol(argv[5]), atoi(argv[6]));
    if (argc == 6 && !strcmp(argv[1], "consume"))
        return consume(argv[2], argv[3], atol(argv[4]), argv[5]);
    fprintf(stderr, "usage: %s produce <bootstrap> <topic> <count> <size> <partitions> | consume <bootstrap> <topic> <count> <group>\n", argv[0]);
    return 2;
}
