#version 330 core
// Our own MSAA resolve: averaging the samples gives premultiplied colour with coverage in
// alpha. llvmpipe's built-in resolve blit costs ~30 ms of JIT on its first use; this
// shader is compiled with the surface shader instead.
uniform sampler2DMS u_samples;
uniform int u_count;
out vec4 frag;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    vec4 c = vec4(0.0);
    for (int i = 0; i < u_count; i++) {
        c += texelFetch(u_samples, p, i);
    }
    frag = c / float(u_count);
}
