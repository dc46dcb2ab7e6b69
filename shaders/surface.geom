#version 330 core
// Used only when a figure has annotation or label layers. Categorical values cannot be
// interpolated, so each fragment learns the three vertex indices of its triangle and its
// barycentric weights; surface.frag gives it the label of the nearest corner (regions
// bounded by smooth lines inside triangles) and draws borders a fixed number of pixels
// wide where two corners' labels differ.
layout(triangles) in;
layout(triangle_strip, max_vertices = 3) out;

in Surface {
    vec3 normal;
    float curv;
    float value;
    float valid;
    flat int id;
} gs_in[];

out Surface {
    vec3 normal;
    float curv;
    float value;
    float valid;
    flat int id;
} gs_out;

out vec3 g_bary;
flat out ivec3 g_ids;

void main() {
    ivec3 ids = ivec3(gs_in[0].id, gs_in[1].id, gs_in[2].id);
    for (int i = 0; i < 3; i++) {
        gl_Position = gl_in[i].gl_Position;
        gs_out.normal = gs_in[i].normal;
        gs_out.curv = gs_in[i].curv;
        gs_out.value = gs_in[i].value;
        gs_out.valid = gs_in[i].valid;
        gs_out.id = gs_in[i].id;
        g_bary = vec3(i == 0, i == 1, i == 2);
        g_ids = ids;
        EmitVertex();
    }
    EndPrimitive();
}
