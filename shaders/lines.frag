#version 330 core
// Borders are drawn in their own colour, unlit, as freeview and Workbench draw them.
in vec4 g_color;
out vec4 frag;

void main() {
    frag = vec4(g_color.rgb, 1.0);
}
