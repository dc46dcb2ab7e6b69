#version 330 core
// Used only when a figure has annotation or label layers (CATEGORICAL). Categorical
// values cannot be interpolated, so each fragment learns the three vertex indices of its
// triangle and its barycentric weights, from which surface.frag picks the label (see layer_color there
// and scene::borders, which draws the same region boundaries).
layout(triangles) in;
layout(triangle_strip, max_vertices = 3) out;

in Surface {
    vec3 normal;
    float curv;
    flat int id;
#ifdef VALUES
    vec2 values[N_VALUES];
#endif
} gs_in[];

out Surface {
    vec3 normal;
    float curv;
    flat int id;
#ifdef VALUES
    vec2 values[N_VALUES];
#endif
} gs_out;

out vec3 g_bary;
flat out ivec3 g_ids;

void main() {
    ivec3 ids = ivec3(gs_in[0].id, gs_in[1].id, gs_in[2].id);
    for (int i = 0; i < 3; i++) {
        gl_Position = gl_in[i].gl_Position;
        gs_out.normal = gs_in[i].normal;
        gs_out.curv = gs_in[i].curv;
        gs_out.id = gs_in[i].id;
#ifdef VALUES
        gs_out.values = gs_in[i].values;
#endif
        g_bary = vec3(i == 0, i == 1, i == 2);
        g_ids = ids;
        EmitVertex();
    }
    EndPrimitive();
}
