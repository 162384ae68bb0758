// Round trip of one cache line between CPU 0 and CPU 1 (two pinned threads). On a 2-vCPU VM it measured ~75-140 ns
// in the machine's fast spells and ~370-420 ns in its slow ones, which switch every few seconds to minutes.
// The slow figure is what a trip between two dies costs, so the host probably runs the two vCPUs on different
// CCDs then; that cannot be seen from inside the guest.
// Build and run: gcc -O2 -pthread tests/Functional.Benchmarks/probes/pingpong.c -o /tmp/pingpong && /tmp/pingpong
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdatomic.h>
#include <time.h>
static _Atomic long flag __attribute__((aligned(64)));
#define N 200000
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static void* other(void*a){pin(1);for(long i=0;i<N;i++){while(atomic_load_explicit(&flag,memory_order_acquire)!=2*i+1);atomic_store_explicit(&flag,2*i+2,memory_order_release);}return 0;}
int main(){pthread_t t;pin(0);pthread_create(&t,0,other,0);struct timespec a,b;clock_gettime(CLOCK_MONOTONIC,&a);
for(long i=0;i<N;i++){atomic_store_explicit(&flag,2*i+1,memory_order_release);while(atomic_load_explicit(&flag,memory_order_acquire)!=2*i+2);}
clock_gettime(CLOCK_MONOTONIC,&b);pthread_join(t,0);printf("%.0f ns/round trip\n",((b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec))/N);}
