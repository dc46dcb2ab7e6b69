#version 330 core
// Each segment becomes a quad exactly u_width pixels wide on screen, with square caps of
// half that width so consecutive segments join without gaps, whatever the figure size.
layout(lines) in;
layout(triangle_strip, max_vertices = 4) out;

uniform vec2 u_viewport; // pixels
uniform float u_width;   // pixels

in vec4 v_color[];
out vec4 g_color;

void main() {
    vec4 p0 = gl_in[0].gl_Position;
    vec4 p1 = gl_in[1].gl_Position;
    vec2 half_vp = 0.5 * u_viewport;
    vec2 d = (p1.xy - p0.xy) * half_vp;
    float len = length(d);
    vec2 dir = len > 1e-6 ? d / len : vec2(1.0, 0.0);
    vec2 n = vec2(-dir.y, dir.x);
    vec2 along = dir * 0.5 * u_width / half_vp;
    vec2 across = n * 0.5 * u_width / half_vp;
    g_color = v_color[0];
    gl_Position = vec4(p0.xy - along + across, p0.zw); EmitVertex();
    gl_Position = vec4(p0.xy - along - across, p0.zw); EmitVertex();
    gl_Position = vec4(p1.xy + along + across, p1.zw); EmitVertex();
    gl_Position = vec4(p1.xy + along - across, p1.zw); EmitVertex();
    EndPrimitive();
}
