/* A stand-in for another platform's C library: each wrapped libm function returns the system's result moved by
   one ulp (up or down) on a fixed half of its arguments, as a different faithful libm may round. Preloaded with
   LD_PRELOAD; results that depend on the platform's libm then change, the library's own functions do not. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* The half of the arguments that is moved, and the direction, from a hash of the argument's bits. */
static double move(double x, double r) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  uint64_t h = (b ^ (b >> 29)) * 0x9E3779B97F4A7C15ull;
  if (!isfinite(r) || (h >> 63) == 0) return r;
  return nextafter(r, ((h >> 62) & 1) ? INFINITY : -INFINITY);
}

#define WRAP1(name)                                                   \
  double name(double x) {                                             \
    static double (*real)(double);                                    \
    if (real == NULL) real = (double (*)(double))dlsym(RTLD_NEXT, #name); \
    return move(x, real(x));                                          \
  }

WRAP1(exp)
WRAP1(expm1)
WRAP1(exp2)
WRAP1(log)
WRAP1(log1p)
WRAP1(log2)
WRAP1(log10)
WRAP1(tanh)
WRAP1(sinh)
WRAP1(cosh)
WRAP1(cos)
WRAP1(sin)
WRAP1(tan)
WRAP1(atan)
WRAP1(cbrt)

double pow(double x, double y) {
  static double (*real)(double, double);
  if (real == NULL) real = (double (*)(double, double))dlsym(RTLD_NEXT, "pow");
  return move(x * 3.0 + y, real(x, y));
}
