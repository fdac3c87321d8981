# Reshapes grad_output to a column (-1, 1): right for a 2-D x, but the gradient has the wrong shape for other ranks.
class LogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        m = x.amax(dim=-1, keepdim=True)
        out = m.squeeze(-1) + torch.log(torch.exp(x - m).sum(dim=-1))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, out = ctx.saved_tensors
        return grad_output.reshape(-1, 1) * torch.exp(x - out.reshape(-1, 1))
