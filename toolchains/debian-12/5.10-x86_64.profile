# Results of the $(shell,...) macros of a Kconfig tree (runner-kernel).
rk-toolchain-profile 1
$ LC_ALL=C gcc --version 2>/dev/null | head -n 1
> gcc (Debian 12.2.0-14+deb12u1) 12.2.0
$ { command -v gcc; } >/dev/null 2>&1 && echo "n" || echo "y"
> n
$ { command -v ld; } >/dev/null 2>&1 && echo "n" || echo "y"
> n
$ {  ld -v | grep -q gold; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ @srctree@/scripts/as-version.sh gcc 
> GNU 24000
$ { test -z "GNU 24000"; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ set -- GNU 24000 && echo $1
> GNU
$ set -- GNU 24000 && echo $2
> 24000
$ { gcc -Werror -m32 -E -x c /dev/null -o /dev/null; } >/dev/null 2>&1 && echo "-m32" || echo ""
> -m32
$ { gcc -Werror -m64 -E -x c /dev/null -o /dev/null; } >/dev/null 2>&1 && echo "-m64" || echo ""
> -m64
$ uname -r
> 6.18.44-fc-v669
$ { echo "gcc (Debian 12.2.0-14+deb12u1) 12.2.0" | grep -q gcc; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ @srctree@/scripts/gcc-version.sh gcc
> 120200
$ ld --version | @srctree@/scripts/ld-version.sh
> 240000000
$ { echo "gcc (Debian 12.2.0-14+deb12u1) 12.2.0" | grep -q clang; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { ld -v | head -n 1 | grep -q LLD; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ @srctree@/scripts/clang-version.sh gcc
> 0
$ { test "GNU" = GNU; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { test "GNU" = LLVM; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ @srctree@/scripts/lld-version.sh ld
> 0
$ { @srctree@/scripts/cc-can-link.sh gcc  -m64; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/cc-can-link.sh gcc  -m32; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { @srctree@/scripts/cc-can-link.sh gcc  -m64 -static; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/cc-can-link.sh gcc  -m32 -static; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { @srctree@/scripts/gcc-goto.sh gcc; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { echo 'int foo(int x) { asm goto ("": "=r"(x) ::: bar); return x; bar: return 0; }' | gcc -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { echo 'int foo(int *x) { asm goto (".long (%l[bar]) - .": "+m"(*x) ::: bar); return *x; bar: return 0; }' | $CC -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { env "CC=gcc" "LD=ld" "NM=nm" "OBJCOPY=objcopy" @srctree@/scripts/tools-support-relr.sh; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { echo 'void foo(void) { asm inline (""); }' | gcc -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -m64 -D__SIZEOF_INT128__=0 -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -ffunction-sections -fdata-sections -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { ld -v --gc-sections; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { ld -v --orphan-handling=warn; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/gcc-x86_64-has-stack-protector.sh gcc; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/gcc-x86_32-has-stack-protector.sh gcc; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -mharden-sls=all -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -mfunction-return=thunk-extern -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { objcopy --version | head -n1 | grep -qv llvm; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "vpmovm2b %k1,%zmm5" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "sha1msg1 %xmm0,%xmm1" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "sha256msg1 %xmm0,%xmm1" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "tpause %ecx" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fstack-protector -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fstack-protector-strong -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ gcc -print-file-name=plugin
> /usr/lib/gcc/x86_64-linux-gnu/12/plugin
$ { test -e /usr/lib/gcc/x86_64-linux-gnu/12/plugin/include/plugin-version.h; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -ftrivial-auto-var-init=pattern -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -ftrivial-auto-var-init=zero -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -ftrivial-auto-var-init=zero -enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -gz=zlib -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { ld -v --compress-debug-sections=zlib; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -gsplit-dwarf -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -gdwarf-4 -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror   -fsanitize-undefined-trap-on-error -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -Werror=unused-command-line-argument -fsanitize=bounds -fsanitize-coverage=trace-pc -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fsanitize=thread -mllvm -tsan-distinguish-volatile=1 -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fsanitize=thread --param tsan-distinguish-volatile=1 -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -Werror=unused-command-line-argument -fsanitize=thread -fsanitize-coverage=trace-pc -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fsanitize=thread -mllvm -tsan-compound-read-before-write=1 -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fsanitize=thread --param tsan-compound-read-before-write=1 -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror   -fsanitize=kernel-address -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror   -fsanitize=kernel-hwaddress -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fsanitize-coverage=trace-pc -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { mkdir .tmp_$$$$; trap "rm -rf .tmp_$$$$" EXIT; gcc -Werror  -fsanitize-coverage=trace-cmp -c -x c /dev/null -o .tmp_$$$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
